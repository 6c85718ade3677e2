"""Lead references: the tiers, pure, then through /lead and the Log modal's picker."""

from datetime import UTC, datetime

import pytest
from conftest import TEAM, every_lead, plain_lead, reply_text
from test_surfaces import block_suggestion_payload, interact

from bot.domain.lead import Lead
from bot.domain.references import fold, number, pick
from storage import leads

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def lead(n: int, name: str, company: str = "", status: str = "open") -> Lead:
    return plain_lead(n, NOW, team_id=TEAM, name=name, company=company, status=status)


PAT = lead(1, "Pat Kim")
MONA = lead(2, "Mona Patel", "Globex")
IVY = lead(3, "Ivy Chen", "Initech")
CARLA = lead(4, "Carla Gomez", "Initech LLC")
OLD = lead(5, "Patrice Old", status="lost")
PATTY = lead(6, "Patty Lane")
PATRICK = lead(7, "Pat Rick")
EVERYONE = [PAT, MONA, IVY, CARLA, OLD, PATTY]


@pytest.mark.parametrize(
    ("text", "candidates", "closed_too", "picked", "tied"),
    [
        ("pat", EVERYONE, False, PAT, None),  # whole word beats fragment and prefix
        ("Pat Kim", EVERYONE, False, PAT, None),  # exact name
        ("initech", EVERYONE, False, IVY, None),  # exact company
        ("initech llc", EVERYONE, False, CARLA, None),
        ("carla initech", EVERYONE, False, CARLA, None),  # whole words across name and company
        ("patt", EVERYONE, False, PATTY, None),  # a prefix
        ("atel", EVERYONE, False, MONA, None),  # a fragment
        ("pat", [*EVERYONE, PATRICK], False, None, [PAT, PATRICK]),  # tie within a tier
        ("patrice", EVERYONE, False, None, None),  # closed only: not for most commands
        ("patrice", EVERYONE, True, OLD, None),  # ...but for show, reopen, history
        ("nobody", EVERYONE, False, None, None),
    ],
)
def test_first_tier_with_exactly_one_open_lead_wins(text, candidates, closed_too, picked, tied):
    found = pick(text, candidates, closed_too=closed_too)
    assert found.lead == picked
    if tied:
        assert found.matches == tied


def test_numbers():
    assert [number(t) for t in ("#12", "# 3", "12", "#0", "#x")] == [12, 3, None, None, None]


async def test_show_pat_is_pat_kim_and_log_initech_is_the_exact_company(hotleads):
    for text in (
        "add Pat Kim",
        "add Mona Patel company:Globex",
        "add Ivy Chen company:Initech",
        "add Carla Gomez company:Initech LLC",
    ):
        await hotleads.command(text)
    assert "Pat Kim" in reply_text(await hotleads.command("show pat"))
    await hotleads.command("log Initech call")
    ivy = next(lead for lead in await every_lead(hotleads.db, TEAM) if lead.name == "Ivy Chen")
    assert ivy.touch_count == 1


async def test_closed_leads_match_only_for_show_and_reopen(hotleads):
    await hotleads.command("add Old Friend company:Hooli")
    await hotleads.command("lost #1")
    refused = reply_text(await hotleads.command("log hooli call"))
    assert "lost" in refused and "/lead reopen #1" in refused
    assert "Old Friend" in reply_text(await hotleads.command("show hooli"))
    assert "open again" in reply_text(await hotleads.command("reopen hooli"))


async def test_a_tie_lists_the_matches_and_changes_nothing(hotleads):
    await hotleads.command("add Pat Kim")
    await hotleads.command("add Pat Rick")
    reply = reply_text(await hotleads.command("log pat call"))
    assert "matches more than one lead" in reply and "#1" in reply and "#2" in reply
    assert [lead.touch_count for lead in await every_lead(hotleads.db, TEAM)] == [0, 0]


async def test_the_log_pickers_finds_numbers_and_names_by_the_same_tiers(hotleads):
    await hotleads.command("add Mona Patel company:Globex")
    await hotleads.command("add Pat Kim")
    by_number = await interact(hotleads, block_suggestion_payload("#1"))
    assert [o["text"]["text"] for o in by_number["options"]] == ["#1 Mona Patel (Globex)"]
    by_name = await interact(hotleads, block_suggestion_payload("pat"))
    assert [o["text"]["text"] for o in by_name["options"]] == [
        "#2 Pat Kim",
        "#1 Mona Patel (Globex)",
    ]


# Names as people type them: case and accents ignored, several words unquoted ------------

RENEE = lead(11, "Renée O'Brien", "Café Noël")
INES = lead(12, "Inês Costa")
MULLER = lead(13, "Jürgen Müller", "Straße AG")
SOREN = lead(14, "Søren Ødegård")
ACCENTED = [RENEE, INES, MULLER, SOREN, PAT]


@pytest.mark.parametrize(
    ("text", "picked"),
    [
        ("renee o'brien", RENEE),  # exact name
        ("RENÉE O\u2019BRIEN", RENEE),  # any case, a smart apostrophe
        ("cafe noel", RENEE),  # exact company
        ("renee", RENEE),  # whole word
        ("ren", RENEE),  # prefix
        ("ene", RENEE),  # fragment
        ("ines", INES),
        ("Inês", INES),
        ("muller", MULLER),
        ("strasse", MULLER),
        ("soren odegard", SOREN),
    ],
)
def test_every_tier_ignores_case_and_accents(text, picked):
    assert pick(text, ACCENTED).lead == picked


def test_fold_is_what_a_plain_keyboard_types():
    assert [fold(t) for t in ("Renée", "Inês", "Müller", "Straße", "Ødegård", "  A   b ")] == [
        "renee",
        "ines",
        "muller",
        "strasse",
        "odegard",
        "a b",
    ]


async def test_accents_are_found_by_command_and_picker(hotleads):
    await hotleads.command("add Renée O'Brien company:Café Noël")
    await hotleads.command("add Inês Costa")
    await hotleads.command("log renee call")
    await hotleads.command("log ines quote")
    renee, ines = await every_lead(hotleads.db, TEAM)
    assert (renee.touch_count, ines.touch_count) == (1, 1)
    assert "Inês Costa" in reply_text(await hotleads.command("show INES"))
    found = await interact(hotleads, block_suggestion_payload("cafe"))
    assert [o["text"]["text"] for o in found["options"]] == ["#1 Renée O'Brien (Café Noël)"]


async def test_an_edited_name_is_found_by_its_new_spelling(hotleads):
    await hotleads.command("add Ines Costa")
    await hotleads.command('edit #1 name:"Inês da Costa"')
    assert "Inês da Costa" in reply_text(await hotleads.command("show ines da"))


async def test_a_name_of_several_words_needs_no_quotes(hotleads):
    await hotleads.command("add Dan Murphy company:Fleetco")
    await hotleads.command("add Dana White")
    reply = reply_text(await hotleads.command("log dan murphy email sent the fleet quote"))
    assert "Logged *we emailed them* for" in reply and "Dan Murphy" in reply
    dan, dana = await every_lead(hotleads.db, TEAM)
    touch = (await leads.recent_touches(hotleads.db.reader, dan))[0]
    assert (touch.kind, touch.note, dana.touch_count) == ("email", "sent the fleet quote", 0)


async def test_two_leads_with_the_same_name_are_listed_and_nothing_changes(hotleads):
    await hotleads.command("add Dan Murphy company:Fleetco")
    await hotleads.command("add Dan Murphy company:Boatco")
    reply = reply_text(await hotleads.command("log dan murphy email sent the quote"))
    assert "matches more than one lead" in reply and "#1" in reply and "#2" in reply
    assert [lead.touch_count for lead in await every_lead(hotleads.db, TEAM)] == [0, 0]
