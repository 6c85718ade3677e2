import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain import grammar, temperature
from bot.domain.grammar import (
    KINDS,
    MAX_FIELD,
    MAX_NAME,
    MAX_NOTE,
    SOURCES,
    USAGE,
    Add,
    AddForm,
    Assign,
    Digest,
    Edit,
    Export,
    GrammarError,
    Help,
    LeadRef,
    List,
    Log,
    LogForm,
    Lost,
    Reopen,
    Settings,
    Show,
    Snooze,
    Won,
    parse,
)

N12 = LeadRef(number=12, text=None)


def by_name(text):
    return LeadRef(number=None, text=text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Help, and unknown subcommands asking for it instead of failing.
        ("", Help()),
        ("   \n ", Help()),
        ("help", Help()),
        ("HELP", Help()),
        ("help log", Help(topic="log")),
        ("help Settings", Help(topic="settings")),
        ("help frobnicate", Help(unknown="frobnicate")),
        ("frobnicate now", Help(unknown="frobnicate")),
        ("#12", Help(unknown="#12")),
        ('""', Help()),
        # add
        ("add", AddForm()),
        ("ADD  ", AddForm()),
        ("add Jane Doe", Add(name="Jane Doe")),
        ("add   Jane \t  Doe  ", Add(name="Jane Doe")),
        ('add "Omar  Haddad"', Add(name="Omar Haddad")),
        ("add Mary O'Brien", Add(name="Mary O'Brien")),
        ("add Mary O\u2019Brien", Add(name="Mary O\u2019Brien")),  # iOS apostrophe
        ("add “Jane Doe” company:„Acme Inc“", Add(name="Jane Doe", company="Acme Inc")),
        (
            'add Jane Doe company:"Acme Inc" email:jane@acme.com',
            Add(name="Jane Doe", company="Acme Inc", email="jane@acme.com"),
        ),
        (
            'add "Omar Haddad" company:Globex source:referral owner:<@U2|bob> note:"met via Ana"',
            Add(
                name="Omar Haddad",
                company="Globex",
                source="referral",
                owner="U2",
                note="met via Ana",
            ),
        ),
        # Options go anywhere; keys are case-insensitive; the rest is the name.
        (
            "add Jane Doe Company:Acme SOURCE:Event",
            Add(name="Jane Doe", company="Acme", source="event"),
        ),
        ("add Jane owner:<@W0ABC>", Add(name="Jane", owner="W0ABC")),
        # Unknown keys and URLs are part of the name; a quoted key is not an option.
        ("add Jane when:tomorrow", Add(name="Jane when:tomorrow")),
        ('add "company:Acme"', Add(name="company:Acme")),
        # Source aliases.
        ("add Jane source:Customer", Add(name="Jane", source="client")),
        ("add Jane source:existing", Add(name="Jane", source="client")),
        ("add Jane source:ads", Add(name="Jane", source="remarketing")),
        ("add Jane source:newsletter", Add(name="Jane", source="remarketing")),
        ("add Jane source:outbound", Add(name="Jane", source="cold")),
        ("add Jane source:COLD", Add(name="Jane", source="cold")),
        # What the rep typed, after Slack's escaping.
        (
            "add &lt;!channel&gt; company:&lt;@U999&gt;",
            Add(name="<!channel>", company="<@U999>"),
        ),
        ("add Jane company:&quot;A&amp;B&quot;", Add(name="Jane", company="&quot;A&B&quot;")),
        ("add Jane company:&amp;lt;", Add(name="Jane", company="&lt;")),
        (
            "add Jane email:<mailto:bob@x.com|bob@x.com> phone:<tel:+4930123|+49 30 123>",
            Add(name="Jane", email="bob@x.com", phone="+49 30 123"),
        ),
        (
            "add Jane email:<mailto:bob@x.com> phone:<tel:+4930123>",
            Add(name="Jane", email="bob@x.com", phone="+4930123"),
        ),
        ('add Jane phone:"+49 30 1234"', Add(name="Jane", phone="+49 30 1234")),
        ('add Jane note:"line one\nline two"', Add(name="Jane", note="line one\nline two")),
        # log
        ("log", LogForm()),
        ("log #12 call", Log(ref=N12, kind="call")),
        ("LOG #12 CALL", Log(ref=N12, kind="call")),
        ("log #012 call", Log(ref=N12, kind="call")),
        (
            'log acme quote wants 20 seats when:"yesterday 3pm"',
            Log(ref=by_name("acme"), kind="quote", note="wants 20 seats", when="yesterday 3pm"),
        ),
        (
            '/log "Acme Corp" demo  went   well',
            Help(unknown="/log", suggestion="log"),
        ),
        (
            'log "Acme Corp" demo  went   well',
            Log(ref=by_name("Acme Corp"), kind="demo", note="went well"),
        ),
        ("log “acme corp” reply", Log(ref=by_name("acme corp"), kind="reply")),
        ('log "#12" call', Log(ref=by_name("#12"), kind="call")),
        ('log when:"today" #12 email', Log(ref=N12, kind="email", when="today")),
        ('log #12 note note:"called back"', Log(ref=N12, kind="note", note="called back")),
        ('log #12 call hi note:"more"', Log(ref=N12, kind="call", note="hi more")),
        (
            "log #12 email re:pricing see https://x.com company:Acme",
            Log(ref=N12, kind="email", note="re:pricing see https://x.com company:Acme"),
        ),
        (
            "log #12 download <https://x.com/a?b=1&amp;c=2|x.com/a> and <https://y.com>",
            Log(ref=N12, kind="download", note="https://x.com/a?b=1&c=2 and https://y.com"),
        ),
        (
            "log #12 meeting with <@U1|ana> in <#C1|sales> and <#C2|> &lt;3",
            Log(ref=N12, kind="meeting", note="with @ana in #sales and <#C2|> <3"),
        ),
        ('log #12 call "said: ""no"""', Log(ref=N12, kind="call", note="said: no")),
        # Kind aliases.
        ("log #12 quote-request", Log(ref=N12, kind="quote")),
        ("log #12 signup", Log(ref=N12, kind="trial")),
        ("log #12 Sign-Up", Log(ref=N12, kind="trial")),
        ("log #12 whitepaper", Log(ref=N12, kind="download")),
        ("log #12 ebook", Log(ref=N12, kind="download")),
        ("log #12 mail", Log(ref=N12, kind="email")),
        ("log #12 visit", Log(ref=N12, kind="meeting")),
        # show, won, reopen
        ("show #12", Show(ref=N12)),
        ("show Acme", Show(ref=by_name("Acme"))),
        ("show O'Brien", Show(ref=by_name("O'Brien"))),
        ("show A&amp;B", Show(ref=by_name("A&B"))),
        ("won #12", Won(ref=N12)),
        ('won "acme corp"', Won(ref=by_name("acme corp"))),
        ("reopen #12", Reopen(ref=N12)),
        # list
        ("list", List(band="all", scope="mine")),
        ("list hot", List(band="hot", scope="mine")),
        ("list team", List(band="all", scope="team")),
        ("list TEAM Warm", List(band="warm", scope="team")),
        ("list cold mine", List(band="cold", scope="mine")),
        ("list <@U2|bob> hot", List(band="hot", scope="user", user="U2")),
        ("list <@U2>", List(band="all", scope="user", user="U2")),
        # snooze
        ("snooze #12 in 30 days", Snooze(ref=N12, when="in 30 days")),
        ('snooze #12 "next monday"', Snooze(ref=N12, when="next monday")),
        ("snooze acme off", Snooze(ref=by_name("acme"), when="off")),
        # edit
        (
            'edit #12 company:"Globex Corp" source:inbound phone:"+49 30 1234"',
            Edit(
                ref=N12,
                changes={"company": "Globex Corp", "source": "inbound", "phone": "+49 30 1234"},
            ),
        ),
        (
            'edit #12 company:"" phone:“” email:""',
            Edit(ref=N12, changes={"company": "", "phone": "", "email": ""}),
        ),
        ('edit #12 Name:"Jane  Roe"', Edit(ref=N12, changes={"name": "Jane Roe"})),
        ("edit #12 source:newsletter", Edit(ref=N12, changes={"source": "remarketing"})),
        ("edit #12 email:<mailto:a@b.co|a@b.co>", Edit(ref=N12, changes={"email": "a@b.co"})),
        # lost, assign
        ("lost #12", Lost(ref=N12, reason="")),
        ("lost #12 went with a competitor", Lost(ref=N12, reason="went with a competitor")),
        ("lost #12 price &gt; budget", Lost(ref=N12, reason="price > budget")),
        ("assign #12 <@U9|zoe>", Assign(ref=N12, user="U9")),
        ("assign acme <@U9>", Assign(ref=by_name("acme"), user="U9")),
        # settings
        ("settings", Settings()),
        (
            "settings channel:<#C123|sales> time:09:00 tz:Europe/Berlin quiet:7 days:mon-fri",
            Settings(
                channel_id="C123",
                digest_time="09:00",
                tz="Europe/Berlin",
                quiet_days=7,
                digest_days=("mon", "tue", "wed", "thu", "fri"),
            ),
        ),
        ("settings channel:<#C123|>", Settings(channel_id="C123")),
        ("settings time:9:00", Settings(digest_time="09:00")),
        ("settings time:23:59", Settings(digest_time="23:59")),
        ("settings time:00:00", Settings(digest_time="00:00")),
        ("settings tz:america/new_york", Settings(tz="America/New_York")),
        ("settings tz:UTC", Settings(tz="UTC")),
        ("settings quiet:1", Settings(quiet_days=1)),
        ("settings quiet:90", Settings(quiet_days=90)),
        ("settings quiet:007", Settings(quiet_days=7)),
        ("settings days:mon,wed,fri", Settings(digest_days=("mon", "wed", "fri"))),
        ('settings days:"Fri, Mon, wed"', Settings(digest_days=("mon", "wed", "fri"))),
        (
            "settings days:mon-sun",
            Settings(digest_days=("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
        ),
        ("settings days:weekdays", Settings(digest_days=("mon", "tue", "wed", "thu", "fri"))),
        (
            "settings days:everyday",
            Settings(digest_days=("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
        ),
        (
            "settings days:Daily",
            Settings(digest_days=("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
        ),
        ("settings days:fri-mon", Settings(digest_days=("mon", "fri", "sat", "sun"))),
        ("settings days:monday,tue-thu,tue", Settings(digest_days=("mon", "tue", "wed", "thu"))),
        ("settings respond:04", Settings(respond_hours=4)),
        ("settings reps:<@U1|ana>,<@U2>,<@U1>", Settings(reps=("U1", "U2"))),
        ("settings reps:none", Settings(reps=())),
        # digest, export
        ("digest", Digest()),
        ("export", Export(band="all")),
        ("export HOT", Export(band="hot")),
    ],
)
def test_parse(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Unbalanced quotes, straight or smart.
        (
            'add "Jane Doe',
            'A quote mark before “Jane Doe” is never closed. Close it, like `company:"Acme Inc"`',
        ),
        ('add Jane company:"Acme', "before “Acme” is never closed"),
        ("add “Jane", "before “Jane” is never closed"),
        ('frobnicate "', "A quote mark at the end is never closed"),
        # add
        ("add company:Acme", "Who is the lead? Put the name first"),
        ('add "" source:event', "Who is the lead?"),
        (
            "add Jane source:carrier-pigeon",
            "I don't know the source `carrier-pigeon`. Sources: referral, client",
        ),
        ("add Jane email:not-an-email", "“not-an-email” doesn't look like an email address"),
        ("add Jane email:jane@acme", "doesn't look like an email address"),
        ('add Jane email:"jane doe@acme.com"', "doesn't look like an email address"),
        ("add Jane company:", '`company:` needs a value after it, like `company:"Acme Inc"`'),
        ("add Jane source:", "`source:` needs a value after it"),
        ("add Jane note:", "`note:` needs a value after it"),
        ('add Jane company:""', '`company:""` clears a field, and only `/lead edit` does that'),
        ('add Jane email:""', "only `/lead edit` does that"),
        ('add Jane owner:""', "`owner:` needs a value after it"),
        ("add Jane company:A Company:B", "`company:` is given twice"),
        ("add Jane owner:@bob", "I can't tell who “@bob” is. Type `@` and pick the person"),
        ("add Jane owner:bob", "“bob” isn't a person. Mention them"),
        ("add Jane owner:<!here>", "isn't a person"),
        # log
        ("log #12", "What happened? Add a kind after the lead"),
        ("log #12 smoke-signal", "I don't know the kind `smoke-signal`. Kinds: quote, trial"),
        ("log acme corp quote", 'quote it: `/lead log "acme corp" call`'),
        ("log when:today", "Which lead?"),
        ("log #12 call when:", "`when:` needs a value after it"),
        ('log #12 call when:"yesterday" when:today', "`when:` is given twice"),
        # lead references
        ("show", "Which lead? Give its number or part of its name, like `/lead show #12`"),
        ("show #", "“#” isn't a lead number"),
        ("show #abc", "“#abc” isn't a lead number"),
        ("show #0", "“#0” isn't a lead number"),
        ("show #-3", "isn't a lead number"),
        ("show #12b", "isn't a lead number"),
        ("show #" + "9" * 30, "isn't a lead number"),
        ('show ""', "Which lead?"),
        ("show <#C1|sales>", "“#sales” isn't a lead number"),
        # extra words where none are allowed
        (
            "reopen #3 extra",
            '`/lead reopen` doesn\'t take “extra”. To name a lead with several words, put them in quotes: `/lead reopen "acme corp"`',
        ),
        ("show acme corp", "`/lead show` doesn't take “corp”"),
        ("reopen #3 now please", "doesn't take “now please”"),
        ("digest now", "`/lead digest` doesn't take “now”"),
        ("export hot now", "`/lead export` doesn't take “now”"),
        ("export tepid", "`/lead export` takes hot, warm, cold or all, not “tepid”"),
        # list
        ("list hottest", "I don't know `hottest`. Did you mean `hot`?"),
        ("list hot warm", "didn't expect “warm”"),
        ("list mine team", "didn't expect “team”"),
        ("list @bob", "I can't tell who “@bob” is"),
        ("list <@U1> <@U2>", "didn't expect"),
        ("list band:hot", "didn't expect “band:hot”"),
        # snooze
        (
            "snooze #12",
            "Until when? Like `/lead snooze #12 in 30 days` or `/lead snooze #12 next monday`",
        ),
        ("snooze", "Which lead?"),
        # edit
        ("edit #12", "What should change? Give fields"),
        ("edit", "Which lead?"),
        ("edit #12 acme", "`/lead edit` doesn't take “acme”. It takes fields to change"),
        ('edit #12 name:""', "A lead always has a name, so it can't be cleared"),
        ('edit #12 source:""', "A lead always has a source"),
        ("edit #12 name:", '`name:` needs a value after it, like `name:"Jane Doe"`'),
        ("edit #12 company:", '`company:` needs a value after it. To clear it, write `company:""`'),
        ("edit #12 email:nope", "“nope” doesn't look like an email address"),
        ("edit #12 source:tv", "I don't know the source `tv`. Sources: referral"),
        (
            "edit #12 owner:<@U1>",
            "doesn't take “owner:<@U1>”. To give the lead to someone else, use `/lead assign",
        ),
        # lost, assign
        ("lost", "Which lead?"),
        ("assign #12", "Who should get it? Mention them"),
        ("assign #12 @maria", "I can't tell who “@maria” is"),
        ("assign #12 maria", "“maria” isn't a person"),
        ("assign #12 <@U1> <@U2>", "`/lead assign` doesn't take “<@U2>”"),
        # settings
        ("settings channel:#sales", "“#sales” isn't a channel I can post to. Type `#` and pick"),
        ("settings channel:<@U1|bob>", "isn't a channel"),
        ("settings time:24:00", "“24:00” isn't a time. Write it like `time:9am`"),
        ("settings time:9", "isn't a time"),
        ("settings time:9:5", "isn't a time"),
        ("settings time:09:60", "isn't a time"),
        (
            "settings tz:Europe/Berln",
            "I don't know the time zone “Europe/Berln”. Did you mean `Europe/Berlin`?",
        ),
        ("settings tz:Mars/Olympus", "I don't know the time zone"),
        ("settings quiet:0", "a whole number from 1 to 90"),
        ("settings quiet:91", "a whole number from 1 to 90"),
        ("settings quiet:seven", "not “seven”"),
        ("settings quiet:" + "9" * 5000, "a whole number from 1 to 90"),
        ("settings days:funday", "I can't read the days “funday”"),
        ("settings days:mon-", "I can't read the days"),
        ("settings days:mon,,fri", "I can't read the days"),
        ("settings time:", "`time:` needs a value after it, like `time:09:00`"),
        ('settings tz:""', "`tz:` needs a value after it"),
        ("settings daily", "`/lead settings` doesn't take “daily”"),
        ("settings quiet:7 quiet:8", "`quiet:` is given twice"),
    ],
)
def test_parse_error(text, message):
    with pytest.raises(GrammarError) as error:
        parse(text)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("template", "limit", "field"),
    [
        ("add {}", MAX_NAME, "name"),
        ('edit #1 name:"{}"', MAX_NAME, "name"),
        ("add Jane company:{}", MAX_FIELD, "company"),
        ("add Jane phone:{}", MAX_FIELD, "phone"),
        ("edit #1 company:{}", MAX_FIELD, "company"),
        ('add Jane note:"{}"', MAX_NOTE, "note"),
        ("log #1 call {}", MAX_NOTE, "note"),
        ("lost #1 {}", MAX_NOTE, "reason"),
        ("snooze #1 {}", MAX_FIELD, "date"),
        ("log #1 call when:{}", MAX_FIELD, "date"),
    ],
)
def test_limits(template, limit, field):
    assert parse(template.format("x" * limit))
    with pytest.raises(GrammarError) as error:
        parse(template.format("x" * (limit + 1)))
    assert str(error.value) == (
        f"The {field} is too long: {limit + 1} characters, and the limit is {limit}."
    )


def test_limits_count_what_was_typed_not_slacks_escaping():
    assert parse("add " + "&amp;" * MAX_NAME) == Add(name="&" * MAX_NAME)


@pytest.mark.parametrize(
    ("text", "limit", "field"),
    [
        ("a@b.co", MAX_FIELD, "email"),
        ("referral", MAX_FIELD, "source"),
    ],
)
def test_email_and_source_limits(text, limit, field):
    padded = "x" * (limit + 1 - len(text)) + text
    with pytest.raises(GrammarError, match=f"The {field} is too long: {limit + 1} characters"):
        parse(f"add Jane {field}:{padded}")


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("jane@acme.com", True),
        ("Jane.Doe+leads@mail.acme.co.uk", True),
        ("o'brien@acme.ie", True),
        ("jürgen@müller.de", True),
        ("jane@acme", False),
        ("jane@acme.c", False),
        ("jane@@acme.com", False),
        ("jane doe@acme.com", False),
        ("jane@acme..com", False),
        ("@acme.com", False),
        ("jane@", False),
        ("jane@acme.com\n", False),
        ("<mailto:jane@acme.com|jane@acme.com>", False),
    ],
)
def test_is_email(text, valid):
    assert grammar.is_email(text) is valid


def test_sources_and_kinds_mirror_the_temperature_table():
    assert set(SOURCES) == set(temperature.SOURCES)
    assert set(KINDS) == set(temperature.KINDS)
    assert tuple(grammar.SOURCE_HINTS) == SOURCES
    assert tuple(grammar.KIND_HINTS) == KINDS
    assert set(grammar.SOURCE_ALIASES.values()) <= set(SOURCES)
    assert set(grammar.KIND_ALIASES.values()) <= set(KINDS)


SUBCOMMANDS = sorted(USAGE)


def test_usage_covers_every_subcommand():
    everything = (
        "help add log show list snooze away edit won lost reopen history undo assign settings digest"
        " export hooks next report"
    )
    assert sorted(everything.split(" ")) == SUBCOMMANDS


def as_slack_sends(typed):
    """What Slack's autocomplete turns a typed @name or #channel into."""
    typed = re.sub(r"@(\w+)", lambda m: f"<@U{m[1].upper()}|{m[1]}>", typed)
    return re.sub(r"#([a-z]\w*)", lambda m: f"<#C{m[1].upper()}|{m[1]}>", typed)


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_usage_is_a_synopsis_and_an_example_that_parses(sub):
    synopsis, example_line = USAGE[sub].split("\n")
    assert synopsis.startswith(f"`/lead {sub}")
    assert not re.search("[<>&]", USAGE[sub]), "raw <, > or & would be read as Slack markup"
    assert example_line.startswith(f"`/lead {sub}") and example_line.endswith("`")
    command = parse(as_slack_sends(example_line.strip("`").removeprefix("/lead ")))
    assert type(command).__name__.lower().startswith(sub)  # hooks new: HooksNew


# Pieces that reach the grammar's corners: quotes, markup, entities, options, numbers.
PIECES = [
    *"ab #1:@<>|&;\"\u201c\u201d\u201e' \n",
    *("&amp;", "&lt;", "<@U1|x>", "<#C1|>", "<mailto:a@b.co|a@b.co>", "company:", "when:"),
    *("time:", "quiet:", "days:", "tz:", "channel:", "email:", "source:", "name:", '""'),
    *KINDS,
    *SOURCES,
]
INTERESTING = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


@given(st.text())
@example('add "')
@example("<")
@example("settings quiet:" + "9" * 5000)
def test_parse_never_fails_with_anything_but_a_grammar_error(text):
    try:
        command = parse(text)
    except GrammarError as error:
        assert str(error)
    else:
        assert isinstance(command, grammar.Command)


@given(st.sampled_from(SUBCOMMANDS), INTERESTING)
def test_each_subcommand_only_fails_with_a_grammar_error(sub, rest):
    try:
        command = parse(f"{sub} {rest}")
    except GrammarError as error:
        assert str(error)
    else:
        assert isinstance(command, grammar.Command)


def slack_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


NAMES = (
    st.text(st.characters(exclude_characters='"“”„'), min_size=1, max_size=MAX_NAME)
    .map(lambda text: " ".join(text.split()))
    .filter(bool)
)


@given(NAMES)
def test_a_quoted_name_comes_back_as_typed(name):
    assert parse(f'add "{slack_escape(name)}"') == Add(name=name)
