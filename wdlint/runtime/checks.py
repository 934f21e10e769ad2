"""The runtime checks: one function per rule code, over the model's params and the real groups.

Each check names the exact params it is about, in the model's order; the report turns them into
a table. The rules' documentation lives in `wdlint/rules/`, shared with the static half.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import torch

from wdlint.knowledge.optimizers import BOOKKEEPING_GROUP_KEYS, Family
from wdlint.rules import get_rule
from wdlint.rules.wd101_adam_coupled_decay import advice
from wdlint.rules.wd204_unknown_group_key import intended_key
from wdlint.runtime.classify import Kind, Policy, Verdict
from wdlint.runtime.model import Inventory, Param, has_wrapper_prefix
from wdlint.runtime.optimizers import Group, OptimizerView
from wdlint.runtime.report import Finding

Holder = tuple[OptimizerView, Group]


@dataclass(frozen=True)
class AuditContext:
    inventory: Inventory
    verdicts: tuple[Verdict, ...]  # one per param
    policy: Policy
    optimizers: tuple[OptimizerView, ...]
    model_given: bool  # False: params known only from the optimizers (`watch()` without a model)
    holders: dict[int, list[Holder]] = field(init=False, repr=False)
    # id(group) -> its trainable params, in model order: checks that look group by group stay
    # linear however many groups there are
    _held: dict[int, list[tuple[Param, Verdict]]] = field(init=False, repr=False)

    @property
    def params(self) -> tuple[Param, ...]:
        return self.inventory.params

    def __post_init__(self) -> None:
        holders: dict[int, list[Holder]] = {}
        for optimizer in self.optimizers:
            for group in optimizer.groups:
                for key in group.keys:
                    holders.setdefault(key, []).append((optimizer, group))
        held: dict[int, list[tuple[Param, Verdict]]] = {}
        for param, verdict in zip(self.params, self.verdicts):
            if param.trainable:
                for _, group in holders.get(param.key, ()):
                    held.setdefault(id(group), []).append((param, verdict))
        object.__setattr__(self, "holders", holders)
        object.__setattr__(self, "_held", held)

    def held_by(self, group: Group) -> list[tuple[Param, Verdict]]:
        """The trainable params of one group, in model order."""
        return self._held.get(id(group), [])

    def trainable_in(
        self, groups: Iterable[Group], keep: Callable[[Param, Verdict], bool] = lambda p, v: True
    ) -> list[tuple[Param, Verdict]]:
        keys = {key for group in groups for key in group.keys}
        return [
            (p, v)
            for p, v in zip(self.params, self.verdicts)
            if p.trainable and p.key in keys and keep(p, v)
        ]


Check = Callable[[AuditContext], Iterator[Finding]]


def _finding(code: str, message: str, params: Iterable[tuple[Param, Verdict]]) -> Finding:
    rule = get_rule(code)
    assert rule is not None, code  # every code here has a rule module
    return Finding(code, rule.name, message, tuple(dict.fromkeys(p.name for p, _ in params)))


def _decays(groups: Iterable[Group]) -> str:
    values = dict.fromkeys(
        "a value that is not a number" if g.weight_decay is None else f"{g.weight_decay:g}" for g in groups
    )
    return " and ".join(values)


def _reasons(params: Iterable[tuple[Param, Verdict]]) -> str:
    counts = Counter(v.reason for _, v in params)
    return ", ".join(reason for reason, _ in counts.most_common())


def _count(params: list[tuple[Param, Verdict]], noun: str = "params") -> str:
    """`1 weight matrix`, `3 weight matrices`, `1 param`."""
    if len(params) != 1:
        return f"{len(params)} {noun}"
    singular = noun[: -len("ices")] + "ix" if noun.endswith("ices") else noun[:-1]
    return f"1 {singular}"


# what two groups may differ in and still be one split by decay: their params, and the decay
_MEMBERSHIP_KEYS = BOOKKEEPING_GROUP_KEYS | {"weight_decay"}


def _differ_only_by_params(groups: tuple[Group, ...]) -> bool:
    """Whether the groups set the same options apart from their params (and weight_decay)."""
    def options(group: Group) -> dict[str, object]:
        # a tensor option (a tensor lr) by identity: its data is never read
        return {
            k: ("tensor", id(v)) if isinstance(v, torch.Tensor) else repr(v)
            for k, v in group.options.items()
            if k not in _MEMBERSHIP_KEYS
        }

    first = options(groups[0])
    return all(options(group) == first for group in groups[1:])


def _torch_version() -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", torch.__version__)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def adam_coupled_decay(context: AuditContext) -> Iterator[Finding]:
    for optimizer in context.optimizers:
        spec = optimizer.spec
        if spec is None or spec.family is not Family.ADAM or not spec.takes_weight_decay:
            continue
        groups = [g for g in optimizer.groups if g.decays and not g.decoupled]
        params = context.trainable_in(groups)
        if params:
            yield _finding(
                "WD101",
                f"{optimizer.label} applies weight_decay={_decays(groups)} to {_count(params)} as L2 "
                f"regularization through Adam's adaptive step, not decoupled weight decay; "
                f"{advice(spec, _torch_version())} and re-tune the value",
                params,
            )


def adaptive_coupled_decay(context: AuditContext) -> Iterator[Finding]:
    for optimizer in context.optimizers:
        spec = optimizer.spec
        if spec is None or spec.family is not Family.ADAPTIVE:
            continue
        groups = [g for g in optimizer.groups if g.decays]
        params = context.trainable_in(groups)
        if params:
            yield _finding(
                "WD102",
                f"{optimizer.label} adds weight_decay={_decays(groups)} to the gradient of "
                f"{_count(params)} before its adaptive scaling, so params with large gradients are "
                "barely decayed; use decoupled decay (`torch.optim.AdamW`) or no decay",
                params,
            )


def decay_on_bias_and_norm(context: AuditContext) -> Iterator[Finding]:
    for optimizer in context.optimizers:
        if optimizer.spec is not None and optimizer.spec.matrix_only:
            continue  # Muon: WD206 reports what it should not hold at all
        groups = [g for g in optimizer.groups if g.decays]
        params = context.trainable_in(groups, lambda p, v: v.kind is Kind.NO_DECAY)
        if params:
            yield _finding(
                "WD201",
                f"{optimizer.label} decays {_count(params)} that should not be decayed "
                f"({_reasons(params)}); put them in a group with weight_decay=0.0",
                params,
            )


def unknown_group_key(context: AuditContext) -> Iterator[Finding]:
    for optimizer in context.optimizers:
        spec = optimizer.spec
        if spec is None:
            continue
        accepted = spec.group_keys | optimizer.defaults.keys()
        for group in optimizer.groups:
            for key in (k for k in group.options if k not in accepted):
                meant = intended_key(key, spec)
                if meant is None:
                    continue
                params = context.held_by(group)
                actual = group.options.get(meant)
                effect = f"; its params get {meant}={actual!r}" if actual is not None else ""
                yield _finding(
                    "WD204",
                    f"param group {group.index} of {optimizer.label} has `{key}`, which the optimizer "
                    f"never reads; did you mean `{meant}`?{effect}",
                    params,
                )


def _misgrouped(optimizer: OptimizerView, group: Group, verdict: Verdict) -> bool:
    """Whether the policy puts a param in the other kind of group."""
    if verdict.kind is Kind.NO_DECAY:
        return group.decays
    return verdict.kind is Kind.MATRIX and not group.decays and optimizer.decays_any


def grouping_after_wrap(context: AuditContext) -> Iterator[Finding]:
    wrapper = context.inventory.wrapper
    for optimizer in context.optimizers:
        if len(optimizer.groups) < 2:
            continue  # one group is no grouping: WD201 says what it decays
        where = {key: group for group in optimizer.groups for key in group.keys}
        prefixed = {
            key
            for group in optimizer.groups
            for key, name in zip(group.keys, group.recorded_names)
            if has_wrapper_prefix(name)
        }
        # Names recorded from a wrapped model, in the wrong group; or, under a wrapper, the
        # params the inner model's `no_weight_decay()` exempts, decayed (the hook is not on the
        # wrapper, so timm's create_optimizer_v2 and `model.no_weight_decay()` callers miss it).
        params = [
            (p, v)
            for p, v in zip(context.params, context.verdicts)
            if p.trainable and p.key in where and (
                (p.key in prefixed and _misgrouped(optimizer, where[p.key], v))
                or (wrapper is not None and where[p.key].decays and context.policy.listed_by_hook(p))
            )
        ]
        if not params:
            continue
        cause = (
            f"the model is wrapped by `{wrapper}`, whose param names carry its prefix and which "
            "does not have the model's `no_weight_decay()`"
            if wrapper is not None
            else "the groups were built from a wrapped model's names (`param_names` carry its prefix)"
        )
        yield _finding(
            "WD205",
            f"{_count(params)} of {optimizer.label} are in the wrong group because {cause}: "
            "names and hooks written for the bare model do not match; group the unwrapped "
            "model's params (`model.module`, `model._orig_mod`), or group before wrapping",
            params,
        )


def muon_non_matrix_params(context: AuditContext) -> Iterator[Finding]:
    for optimizer in context.optimizers:
        if optimizer.spec is None or not optimizer.spec.matrix_only:
            continue
        params = context.trainable_in(
            optimizer.groups,
            lambda p, v: len(p.shape) != 2 or v.kind is Kind.EMBEDDING or v.head,
        )
        if params:
            kinds = dict.fromkeys(
                "embeddings" if v.kind is Kind.EMBEDDING
                else "the output head" if v.head
                else "params that are not 2-D"
                for p, v in params
            )
            yield _finding(
                "WD206",
                f"{optimizer.label} gets {_count(params)} that {'is' if len(params) == 1 else 'are'} not "
                "hidden-layer weight matrices "
                f"({', '.join(kinds)}); give Muon the hidden weight matrices and an AdamW the rest",
                params,
            )


def decay_group_inherits_zero(context: AuditContext) -> Iterator[Finding]:
    for optimizer in context.optimizers:
        groups = optimizer.groups
        if len(groups) < 2 or optimizer.default_weight_decay != 0:
            continue
        if not all(g.has_weight_decay and g.weight_decay == 0 for g in groups):
            continue
        if not _differ_only_by_params(groups):
            continue  # the groups exist for another option (a separate lr): no decay split here
        # A group of nothing but no-decay params says the author split decay from no-decay;
        # the other groups then were meant to decay, and got the default 0.
        split = {
            id(g) for g in groups
            if (held := context.held_by(g)) and all(context.policy.wants_decay(v) is False for _, v in held)
        }
        if not split:
            continue
        rest = [g for g in groups if id(g) not in split]
        params = context.trainable_in(rest, lambda p, v: v.kind is Kind.MATRIX)
        if params:
            yield _finding(
                "WD301",
                f"every param group of {optimizer.label} has weight_decay=0: one holds only params "
                f"that should not be decayed, but the group of the {_count(params, 'weight matrices')} "
                "has 0 too (the optimizer's default, which a group without `weight_decay` "
                "inherits), so nothing is decayed; give that group its weight_decay",
                params,
            )


def no_decay_at_all(context: AuditContext) -> Iterator[Finding]:
    for optimizer in context.optimizers:
        spec = optimizer.spec
        if spec is None or not spec.takes_weight_decay or optimizer.decays_any:
            continue
        decoupled_adam = spec.family is Family.ADAM and all(g.decoupled for g in optimizer.groups)
        if not (decoupled_adam or spec.family is Family.SGD):
            continue
        params = context.trainable_in(optimizer.groups, lambda p, v: v.kind is Kind.MATRIX)
        if params:
            yield _finding(
                "WD303",
                f"{optimizer.label} decays nothing: weight_decay is 0 for every param, "
                f"{_count(params, 'weight matrices')} included; if that is deliberate, ignore WD303",
                params,
            )


def param_not_optimized(context: AuditContext) -> Iterator[Finding]:
    if not context.model_given:
        return
    params = [
        (p, v) for p, v in zip(context.params, context.verdicts)
        if p.trainable and p.key not in context.holders
    ]
    if params:
        where = (
            context.optimizers[0].label if len(context.optimizers) == 1
            else f"any of the {len(context.optimizers)} optimizers"
        )
        yield _finding(
            "WD601",
            f"{_count(params, 'trainable params')} are in no param group of {where}, so they never "
            "train; add them to a group, or set `requires_grad=False` if they are meant to be frozen",
            params,
        )


def matrix_without_decay(context: AuditContext) -> Iterator[Finding]:
    for optimizer in context.optimizers:
        if not optimizer.decays_any:
            continue
        groups = [g for g in optimizer.groups if not g.decays]
        params = context.trainable_in(groups, lambda p, v: v.kind is Kind.MATRIX)
        if params:
            yield _finding(
                "WD602",
                f"{optimizer.label} decays other params but not these "
                f"{_count(params, 'weight matrices')}, which are in a group with weight_decay=0; "
                "move them to the decay group (a name filter that misses them is the usual cause)",
                params,
            )


def param_in_several_groups(context: AuditContext) -> Iterator[Finding]:
    shared = {key: holders for key, holders in context.holders.items() if len(holders) > 1}
    params = [(p, v) for p, v in zip(context.params, context.verdicts) if p.key in shared]
    if not params:
        return
    places = dict.fromkeys(
        f"param group {group.index} of {optimizer.label}"
        for p, _ in params
        for optimizer, group in shared[p.key]
    )
    yield _finding(
        "WD603",
        f"{_count(params)} are held by several param groups ({'; '.join(places)}): each one "
        "updates and decays them, so they take several steps per step; give each param to one group",
        params,
    )


def embedding_decay_policy(context: AuditContext) -> Iterator[Finding]:
    wanted = context.policy.settings.embeddings
    if wanted == "either":
        return
    def is_embedding(param: Param, verdict: Verdict) -> bool:
        return verdict.kind is Kind.EMBEDDING

    for optimizer in context.optimizers:
        if wanted == "decay":
            if not optimizer.decays_any:
                continue
            params = context.trainable_in([g for g in optimizer.groups if not g.decays], is_embedding)
            problem = "does not decay"
        else:
            params = context.trainable_in([g for g in optimizer.groups if g.decays], is_embedding)
            problem = "decays"
        if params:
            yield _finding(
                "WD604",
                f"{optimizer.label} {problem} {_count(params, 'embeddings')} while the policy says "
                f'`embeddings = "{wanted}"`; move them to the other group, or change the policy',
                params,
            )


CHECKS: dict[str, Check] = {
    "WD101": adam_coupled_decay,
    "WD102": adaptive_coupled_decay,
    "WD201": decay_on_bias_and_norm,
    "WD204": unknown_group_key,
    "WD205": grouping_after_wrap,
    "WD206": muon_non_matrix_params,
    "WD301": decay_group_inherits_zero,
    "WD303": no_decay_at_all,
    "WD601": param_not_optimized,
    "WD602": matrix_without_decay,
    "WD603": param_in_several_groups,
    "WD604": embedding_decay_policy,
}
