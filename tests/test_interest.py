"""Temperature through the real app: the four groups, declined, fit and interest, waiting, respond:."""

from datetime import timedelta

from conftest import TEAM, every_lead, reply_text

from bot.domain.answers import waiting_since
from bot.domain.vocabulary import GROUP_WORDS, KIND_GROUPS
from storage import deliveries

HOUR = timedelta(hours=1)


async def only_lead(hotleads):
    (lead,) = await every_lead(hotleads.db, TEAM)
    return lead


async def test_a_voicemail_by_any_name_leaves_the_lead_as_it_was(hotleads):
    await hotleads.command("add Bob Builder source:cold")
    for text in ("log #1 vm", "log #1 no answer", "log #1 left message again", "log #1 voicemail"):
        reply = reply_text(await hotleads.command(text))
        assert "Logged" in reply and "hot" not in reply.lower(), text
    lead = await only_lead(hotleads)
    assert lead.signals["voicemail"].count == 4
    assert lead.temperature(hotleads.clock.now()).band == "cold"


async def test_declined_makes_a_hot_lead_cold_and_a_new_quote_makes_it_hot_again(hotleads):
    await hotleads.command("add Dana Deal source:referral")
    await hotleads.command("log #1 quote")
    assert (await only_lead(hotleads)).temperature(hotleads.clock.now()).band == "hot"
    hotleads.clock.moment += HOUR
    await hotleads.command("log #1 declined not this year")
    now = hotleads.clock.now()
    lead = await only_lead(hotleads)
    assert lead.temperature(now).band == "cold" and lead.hot_until <= now
    hotleads.clock.moment += HOUR
    await hotleads.command("log #1 trial")
    assert (await only_lead(hotleads)).temperature(hotleads.clock.now()).band == "hot"


async def test_the_card_shows_fit_and_interest_apart_and_who_is_waiting(hotleads):
    await hotleads.command("add Quinn Quote source:referral")
    await hotleads.command("log #1 quote wants 20 seats")
    hotleads.clock.moment += 2 * timedelta(days=1)
    text = reply_text(await hotleads.command("show #1"))
    assert "*Fit:* Referred by someone who knows them" in text
    assert "*Interest:* asked for a quote 2 days ago" in text
    assert "waiting 2 days for our answer" in text
    hotleads.clock.moment += HOUR
    await hotleads.command("log #1 call talked prices")
    text = reply_text(await hotleads.command("show #1"))
    assert "answered in 2 days" in text and "waiting" not in text


async def test_respond_setting_decides_when_a_lead_is_waiting(hotleads):
    await hotleads.change_settings("respond:2")
    settings = await deliveries.get_settings(hotleads.db.reader, TEAM)
    assert settings.respond_hours == 2
    shown = reply_text(await hotleads.command("settings"))
    assert "2 hours" in shown
    await hotleads.command("add Ira Inbound source:inbound")
    await hotleads.command("log #1 download")
    start = hotleads.clock.now()
    lead = await only_lead(hotleads)
    assert waiting_since(lead, start + 2 * HOUR - timedelta(seconds=1), 2) is None
    assert waiting_since(lead, start + 2 * HOUR, 2) == lead.signals["download"].last_at
    reply = await hotleads.command("settings respond:0", user_id="UADMIN")
    assert ":warning:" in reply["text"]
    assert (await deliveries.get_settings(hotleads.db.reader, TEAM)).respond_hours == 2


async def test_help_shows_the_four_groups(hotleads):
    text = reply_text(await hotleads.command("help log"))
    for group, kinds in KIND_GROUPS.items():
        assert GROUP_WORDS[group] in text
        for kind in kinds:
            assert f"`{kind}`" in text
