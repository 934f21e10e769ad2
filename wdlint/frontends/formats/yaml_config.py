"""YAML configs (Hydra, torchtune, LightningCLI, SpeechBrain and the other dialects): findings, never fixes. YAML that configures
no optimizer is data, and data is not ours to judge: it is never reported unreadable."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from wdlint.engine.prefilter import may_configure_in_config
from wdlint.frontends.formats.base import Format, Parsed, Sites
from wdlint.frontends.text import check_size

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.frontends.yamlcfg import YamlConfig


class ParsedYaml(Parsed):
    def __init__(self, config: YamlConfig) -> None:
        self.config = config

    def sites(self, path: Path | None) -> Iterator[Sites]:
        from wdlint.frontends.dialects.links import linked

        yield Sites(linked(self.config.sites, self.config.links, path))

    def comments(self, rows: Collection[int]) -> Iterable[tuple[int, str]]:
        return self.config.comments


class YamlFormat(Format):
    name = "YAML config"
    suffixes = (".yaml", ".yml")

    def may_configure_optimizer(self, data: bytes) -> bool:
        return may_configure_in_config(data)

    def parse(self, text: str, filename: str, max_size: int) -> ParsedYaml:
        from wdlint.frontends.yamlcfg import parse_yaml

        check_size(len(text), max_size)
        return ParsedYaml(parse_yaml(text))


YAML_CONFIG = YamlFormat()
