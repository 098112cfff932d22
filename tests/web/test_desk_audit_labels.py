"""The audit log in words: every action code Relais records — collected from the source's
``audit.record(..., action=...)`` calls — has a label in both languages; the desk's page
shows the labels (an unknown code as it is), its filter still selects by code, and the
export keeps the codes."""

from __future__ import annotations

import ast
import csv
import io
from collections.abc import Iterator

from sqlalchemy import update

from bot.activity import review
from bot.activity.signals import TARGET
from bot.cli import exporter
from bot.core import audit
from bot.core.i18n import Translator
from bot.models import AuditEntry, Member
from bot.web.desk.audit_actions import ACTIONS
from tests.support.desk import desk_network, populate, served, signed_in
from tests.support.harness import NetworkFactory
from tests.support.paths import ROOT
from tests.support.people import member_id
from tests.support.source import parsed

#: Codes built at run time, by where they are built: (file, the ``action=`` expression).
DYNAMIC = {
    ("bot/activity/review.py", "f'mention.{verdict}'"): {
        f"mention.{verdict}" for verdict in (review.VERIFIED, review.REJECTED)
    },
    ("bot/activity/signals.py", "f'signal.{target.value}'"): {
        f"signal.{stage.value}" for stage in TARGET.values()
    },
    ("bot/web/desk/transfers.py", "f'export.{kind}'"): {f"export.{k}" for k in exporter.KINDS},
    ("bot/cli/data.py", "f'export.{kind}'"): {f"export.{kind}" for kind in exporter.KINDS},
}


def _is_audit_record(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "record"
        and isinstance(func.value, ast.Name)
        and func.value.id == "audit"
    )


class Codes:
    """The string values an expression may take in one module, as far as reading it
    tells: literals, both branches of ``a if c else b``, module constants, a local
    variable's assignments, and a parameter's arguments at the module's own calls."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.parents = {
            child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
        }

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def values(self, expr: ast.expr) -> set[str] | None:
        """None: not known from the source (see :data:`DYNAMIC`)."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            body, orelse = self.values(expr.body), self.values(expr.orelse)
            return body | orelse if body is not None and orelse is not None else None
        if isinstance(expr, ast.Name):
            return self._name(expr)
        return None

    def _assigned(self, scope: ast.AST, name: str) -> Iterator[ast.expr]:
        nodes = scope.body if isinstance(scope, ast.Module) else ast.walk(scope)
        for node in nodes:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                yield node.value

    def _name(self, name: ast.Name) -> set[str] | None:
        function = self.function_of(name)
        scopes: list[ast.AST] = [function] if function is not None else []
        for scope in [*scopes, self.tree]:
            assigned = list(self._assigned(scope, name.id))
            if assigned:
                return self._union(assigned)
        if function is None:
            return None
        params = [arg.arg for arg in function.args.args]
        if name.id not in params + [arg.arg for arg in function.args.kwonlyargs]:
            return None
        index = params.index(name.id) if name.id in params else len(params)
        passed: list[ast.expr] = []
        for node in ast.walk(self.tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id != function.name:
                continue
            keywords = [k.value for k in node.keywords if k.arg == name.id]
            passed += keywords or node.args[index : index + 1]
        return self._union(passed) if passed else None

    def _union(self, exprs: list[ast.expr]) -> set[str] | None:
        found: set[str] = set()
        for expr in exprs:
            values = self.values(expr)
            if values is None:
                return None
            found |= values
        return found


def recorded_codes() -> tuple[set[str], list[str]]:
    """Every code the source records, and the calls whose code could not be read."""
    codes: set[str] = set()
    unknown: list[str] = []
    for path, tree in parsed():
        where = path.relative_to(ROOT).as_posix()
        reader = Codes(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_audit_record(node)):
                continue
            [action] = [k.value for k in node.keywords if k.arg == "action"]
            values = reader.values(action)
            if values is None:
                values = DYNAMIC.get((where, ast.unparse(action)))
            if values is None:
                unknown.append(f"{where}:{node.lineno}: {ast.unparse(action)}")
            else:
                codes |= values
    return codes, unknown


def test_every_recorded_action_has_a_label_in_both_languages() -> None:
    codes, unknown = recorded_codes()
    assert unknown == [], "list these codes in DYNAMIC"
    assert len(codes) > 50  # the collection found the calls
    assert {"member.approve", "channel.unbind", "coordinator.appoint", "export.kit"} <= codes
    assert sorted(codes - set(ACTIONS)) == [], "label them in bot/web/desk/audit_actions.py"
    translator = Translator("fr")
    french = {code: translator.gettext("fr", label) for code, label in ACTIONS.items()}
    assert [code for code, label in ACTIONS.items() if french[code] == label] == []
    assert len(set(french.values())) == len(french)  # no two actions read alike
    assert len(set(ACTIONS.values())) == len(ACTIONS)


async def test_the_page_says_actions_in_words_and_filters_and_exports_codes(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    ann = await member_id(network, "Ann")
    await network.play(f"@carol /pending\n@carol [Reject #{ann}]")
    async with network.sessions.begin() as session:
        audit.record(session, network.clock, actor_id=None, action="future.thing", n=1)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            status, page = await carol.get("/desk/audit")
            assert status == 200
            assert '<td title="member.approve">Application approved</td>' in page
            assert '<td title="member.reject">Application rejected</td>' in page
            assert '<td title="future.thing">future.thing</td>' in page  # unknown: the code
            assert '<option value="member.reject">Application rejected</option>' in page
            status, page = await carol.get("/desk/audit?action=member.reject")
            assert page.count("<td title=") == 1 and "Application rejected" in page
            status, exported = await carol.get("/desk/audit.csv?action=member.reject")
            rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
            assert [row["action"] for row in rows] == ["member.reject"]
            async with network.sessions.begin() as session:  # Carol reads French
                await session.execute(
                    update(Member).where(Member.display_name == "Carol").values(language="fr")
                )
            status, page = await carol.get("/desk/audit")
            assert '<td title="member.reject">Candidature refusée</td>' in page
            assert '<td title="export.audit">Journal des actions exporté</td>' in page
        finally:
            await carol.client.close()
    async with network.sessions() as session:
        assert await session.get(AuditEntry, 1) is not None
