"""JSON configs: DeepSpeed's, and any JSON with a weight_decay key (TrainingArguments, generic
optimizer mappings; `frontends/dialects/`). Findings, never fixes. Any other JSON is data,
never parsed or reported unreadable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from wdlint.engine.prefilter import may_configure_deepspeed
from wdlint.frontends.formats.base import Format, Parsed, Sites
from wdlint.frontends.text import check_size

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.frontends.jsoncfg import JsonConfig


class ParsedDeepSpeed(Parsed):
    def __init__(self, config: JsonConfig) -> None:
        self.config = config

    def sites(self, path: Path | None) -> Iterator[Sites]:
        from wdlint.frontends.dialects.links import linked

        yield Sites(linked(self.config.sites, self.config.links, path))


class DeepSpeedFormat(Format):
    name = "DeepSpeed JSON config"
    suffixes = (".json",)

    def may_configure_optimizer(self, data: bytes) -> bool:
        return may_configure_deepspeed(data)

    def parse(self, text: str, filename: str, max_size: int) -> ParsedDeepSpeed:
        from wdlint.frontends.jsoncfg import parse_json_config

        check_size(len(text), max_size)
        return ParsedDeepSpeed(parse_json_config(text))


DEEPSPEED_CONFIG = DeepSpeedFormat()
