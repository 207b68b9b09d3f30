"""`assetreg init DIR --name … [--manager …] [--district …] [--bank-account …]`: every text is
checked before it goes into a directive, so a new compound always loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assetreg.cli import main
from assetreg.ledger import Compound


def run(*args: object) -> tuple[int, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.output


def test_init_records_the_manager_district_and_bank_account(tmp_path: Path) -> None:
    root = tmp_path / "jinghu"
    code, out = run("init", root, "--name", "清江浦区·景湖花园", "--manager", "淮安景湖物业服务有限公司",
                    "--district", "huaian-qingjiangpu", "--bank-account", "3201 0000 1234 5678", "--open-date", "2021-01-01")
    assert code == 0, out
    assert "created" in out and "manager-name" in out and "bank-account" in out and "accounts.beancount" in out
    loaded = Compound.locate(root).load()
    assert loaded.errors == []
    opts = loaded.options
    assert opts.get("compound-name") == "清江浦区·景湖花园"
    assert opts.get("manager-name") == "淮安景湖物业服务有限公司"
    assert opts.get("bank-account") == "3201000012345678"
    assert opts.setting("manager-name").date.isoformat() == "2021-01-01"  # type: ignore[union-attr]
    # the manager's remittances now match it without hand-written options
    code, out = run("settings", "show", "-L", root)
    assert "淮安景湖物业服务有限公司" in out and "自 2021-01-01 起，accounts.beancount:" in out


@pytest.mark.parametrize(("args", "says"), [
    (["--name", "景湖\n花园"], "line break"),
    (["--name", "景湖\r花园"], "line break"),
    (["--name", '景湖"花园'], "a name never has"),
    (["--name", "   "], "the compound needs a name"),
    (["--name", "景湖", "--manager", "物业\n公司"], "manager-name (物业公司名称)"),
    (["--name", "景湖", "--manager", '物业" "x'], "a name never has"),
    (["--name", "景湖", "--district", "atlantis"], "no policy set 'atlantis'"),
    (["--name", "景湖", "--bank-account", "not-digits"], "not a bank account number"),
])
def test_bad_text_is_refused_before_anything_is_created(tmp_path: Path, args: list[str], says: str) -> None:
    root = tmp_path / "x"
    code, out = run("init", root, *args)
    assert code == 2 and says in out, out
    assert "fix:" in out
    assert not root.exists()


def test_a_name_with_a_newline_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    code, out = run("init", tmp_path / "x", "--name", "景湖花园\n2020-01-01 open Assets:Evil CNY")
    assert code == 2
    assert "line break" in out and "on one line" in out
