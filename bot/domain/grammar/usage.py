"""How each ``/lead`` subcommand is typed: the help page, one entry per subcommand.

Mrkdwn-safe (no raw <, > or &) so the help reply can show these as they are.
"""

from __future__ import annotations

USAGE = {
    "add": (
        "`/lead add NAME [company:…] [source:…] [email:…] [phone:…] [owner:@someone] [note:…]`"
        " — add a lead (without `source:` it is recorded as `cold`)\n"
        '`/lead add "Omar Haddad" company:Globex source:referral note:"met via Ana"`'
    ),
    "log": (
        '`/lead log LEAD KIND [note…] [when:"…"]` — log a touch: what happened, and when\n'
        '`/lead log "acme" quote asked for 20 seats when:"yesterday 3pm"`'
    ),
    "show": ("`/lead show LEAD` — details, temperature and why, latest touches\n`/lead show #12`"),
    "list": (
        "`/lead list [hot|warm|cold|all] [mine|team|@someone]` — open leads, hottest first\n"
        "`/lead list hot team`"
    ),
    "snooze": (
        "`/lead snooze LEAD WHEN` — no quiet-lead reminders until then (`off` ends it)\n"
        "`/lead snooze #12 in 30 days`"
    ),
    "away": (
        "`/lead away until WHEN` — the relay offers you no leads and passes yours on until then"
        " (`off` when you're back)\n`/lead away until friday`"
    ),
    "edit": (
        "`/lead edit LEAD [name:…] [company:…] [source:…] [email:…] [phone:…]`"
        ' — change fields; `company:""` clears one\n'
        '`/lead edit #12 company:"Globex Corp" source:inbound`'
    ),
    "won": (
        "`/lead won LEAD [note…]` — they bought: close the lead as won\n"
        "`/lead won #12 signed for 3 crews`"
    ),
    "lost": (
        "`/lead lost LEAD [reason…]` — close the lead as lost\n"
        "`/lead lost #12 went with a competitor`"
    ),
    "reopen": "`/lead reopen LEAD` — open a won or lost lead again\n`/lead reopen #12`",
    "history": (
        "`/lead history LEAD` — every touch, newest first, to edit, delete or restore\n"
        "`/lead history #12`"
    ),
    "undo": "`/lead undo` — take back the last touch you logged (within a day)\n`/lead undo`",
    "assign": (
        "`/lead assign LEAD @someone` — give the lead to someone else\n`/lead assign #12 @maria`"
    ),
    "settings": (
        "`/lead settings [channel:#…] [time:9am] [tz:Area/City] [quiet:DAYS] [respond:HOURS] [days:…]"
        " [reps:@…,@…] [weekly:mon|off] [relay:MINUTES|off] [hours:09:00-18:00] [manager:@…]`"
        " — see or change the daily digest and reminders (admins change them)\n"
        "`/lead settings channel:#sales time:9am tz:Europe/Berlin quiet:7 days:mon-fri`"
    ),
    "digest": "`/lead digest` — preview today's digest, only you see it\n`/lead digest`",
    "export": (
        "`/lead export [hot|warm|cold|all]` — a CSV of the leads, sent to you in a DM\n"
        "`/lead export hot`"
    ),
    "help": "`/lead help [command]` — this help, or one command's\n`/lead help log`",
    "hooks": (
        "`/lead hooks [new [generic|typeform|calendly] [kind:…] [owner:@someone] | revoke ID]`"
        " — webhooks that bring leads in from forms and booking tools (admins)\n"
        "`/lead hooks new typeform kind:quote`"
    ),
    "next": (
        "`/lead next LEAD WHAT [due:WHEN]` — the lead's next step (`done` when done);"
        " `/lead next` lists yours, overdue first\n"
        "`/lead next #12 send the proposal due:friday`"
    ),
    "report": (
        "`/lead report [days:90]` — is the score right? win rates of leads closed lately,"
        " by band, source and rep, and speed to lead\n`/lead report days:30`"
    ),
}


def short_usage(sub: str) -> str:
    """The first line of a subcommand's usage: how it is typed, without the example."""
    return USAGE[sub].split("\n")[0]


READ_ONLY = frozenset({"help", "show", "list", "history", "digest", "export", "report"})
"""Subcommands that only read: a typo of one is never offered one that changes a lead."""


def risk(sub: str) -> int:
    """0 for a subcommand that only reads, 1 for one that changes, closes or undoes."""
    return 0 if sub in READ_ONLY else 1
