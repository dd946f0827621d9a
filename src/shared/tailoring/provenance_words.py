"""The closed word lists the provenance check allows without a source, written down for review.

Every entry is a casefolded, accent-folded word. Nothing here may carry a fact: no quantifier ("all",
"many", "over"), no scope word, no verb of responsibility, no time word ("since", "currently"). A word
that is missing here only makes a good edit fail; a word wrongly added here can let a fabrication through,
so additions need a reviewer.
"""

from __future__ import annotations

# Articles, prepositions, conjunctions, pronouns and auxiliaries (English, German, French, Spanish).
GLUE_WORDS = frozenset(
    """
    a an the and or but nor of in on at to for from by with into onto across through via per as
    than that which who whom whose this these those it its their them they we our us i my me he she his her
    is are was were be been being has have had do does did while when where so also both then re
    der die das den dem des ein eine einen einem einer eines und oder aber von vom zu zum zur fur mit im in
    am an auf aus bei beim durch als wie sowie sich ich wir uns unser unsere unseren mein meine ist sind
    war waren wurde wurden hat haben hatte hatten wird werden fuer dabei indem damit
    le la les l un une des du de d et ou mais a au aux en dans pour par avec sur chez via que qui dont
    ce cet cette ces son sa ses leur leurs il elle ils elles nous je j est sont ete ont etait s qu
    el la los las un una unos unas y e o u pero de del a al en para por con que quien cuyo cuya este esta
    estos estas su sus nuestro nuestra es son fue fueron ha han se mediante lo
    """.split()
)

# Words a summary may use to frame its claims; none of them states a fact about the candidate.
SUMMARY_FRAME_WORDS = frozenset(
    """
    qualifications experience professional background including
    berufserfahrung erfahrung qualifikationen experiencia cualificaciones formacion
    """.split()
)

# Words that weaken a claim. When the source says one, a rewording must keep it: dropping "helped",
# "junior" or "about" makes the claim stronger than the CV.
ATTENUATING_WORDS = frozenset(
    """
    help helped helping assist assisted assisting support supported supporting contribute contributed
    contributing co junior jr assistant associate intern interns internship trainee apprentice student
    volunteer part partly partially some not no never without nearly almost approximately roughly about
    around up graduate deputy entry
    adjoint adjointe auxiliar werkstudent werkstudentin
    nicht kein keine ohne mitgewirkt unterstutzt unterstuetzt praktikant praktikantin
    pas sans jamais aide stagiaire
    sin nunca ayude ayudo apoye apoyo becario becaria practicante
    """.split()
)

# Words that say a role is still going on. They are allowed only for an entry without an end date.
ONGOING_WORDS = frozenset(
    """
    currently current present now today since still derzeit aktuell seit actuellement depuis actualmente desde
    """.split()
)

# Words that join a current role to a past one ("… and former …"). What follows one must be bound to an
# entry that has ended. "ex" is not here: "ex-<issuer>" claims an employer.
FORMER_WORDS = frozenset(
    "former formerly ehemalige ehemaliger ehemals antigua antiguo ancienne ancien".split()
)
# "<past role> turned <current role>": here the part before the word is the past role.
TURNED_WORDS = frozenset({"turned"})

# Neutral substitutions: a new word and the source words it may stand for. None raises strength, scope,
# seniority or certainty.
NEUTRAL_SUBSTITUTIONS: dict[str, frozenset[str]] = {
    "about": frozenset({"roughly", "approximately", "around", "circa"}),
    "roughly": frozenset({"about", "approximately", "around", "circa"}),
    "approximately": frozenset({"about", "roughly", "around", "circa"}),
    "use": frozenset({"utilize", "utilise", "utilized", "utilised", "utilizing", "utilising"}),
    "percentile": frozenset({"p50", "p90", "p95", "p99", "p999"}),
}

# Irregular English verb forms, mapped to their base form so that "led" traces to "lead".
IRREGULAR_FORMS: dict[str, str] = {
    form: base
    for base, forms in {
        "lead": "led",
        "build": "built",
        "run": "ran",
        "write": "wrote written",
        "make": "made",
        "grow": "grew grown",
        "teach": "taught",
        "drive": "drove driven",
        "win": "won",
        "take": "took taken",
        "give": "gave given",
        "bring": "brought",
        "buy": "bought",
        "sell": "sold",
        "tell": "told",
        "keep": "kept",
        "hold": "held",
        "begin": "began begun",
        "choose": "chose chosen",
        "speak": "spoke spoken",
        "find": "found",
        "think": "thought",
        "catch": "caught",
        "spend": "spent",
        "send": "sent",
        "lose": "lost",
        "meet": "met",
        "leave": "left",
        "pay": "paid",
        "say": "said",
        "become": "became",
        "go": "went gone",
        "do": "did done",
        "see": "saw seen",
        "know": "knew known",
        "draw": "drew drawn",
        "rise": "rose risen",
        "shrink": "shrank shrunk",
        "feed": "fed",
        "bear": "bore borne",
        "stand": "stood",
        "understand": "understood",
        "oversee": "oversaw overseen",
        "undertake": "undertook undertaken",
    }.items()
    for form in forms.split()
}

# Number words (English, German, French, Spanish) read as their digits. "ein", "un" and "uno" are left
# out: they are articles far more often than numbers.
NUMBER_WORDS: dict[str, str] = {
    word: str(value)
    for value, words in {
        1: "one",
        2: "two zwei deux dos",
        3: "three drei trois tres",
        4: "four vier quatre cuatro",
        5: "five funf fuenf cinq cinco",
        6: "six sechs seis",
        7: "seven sieben sept siete",
        8: "eight acht huit ocho",
        9: "nine neun neuf nueve",
        10: "ten zehn dix diez",
        11: "eleven elf onze once",
        12: "twelve zwolf zwoelf douze doce",
        13: "thirteen",
        14: "fourteen",
        15: "fifteen",
        16: "sixteen",
        17: "seventeen",
        18: "eighteen",
        19: "nineteen",
        20: "twenty zwanzig vingt veinte",
        30: "thirty",
        40: "forty",
        50: "fifty",
        100: "hundred",
    }.items()
    for word in words.split()
}

# The word after "per" / "a" that makes a number a rate; a rate must keep its period.
RATE_PERIODS = frozenset(
    "hour day week month quarter year shift sprint night weekend tag woche monat jahr jour semaine mois an "
    "annee dia semana mes ano".split()
)

# Degree names and the abbreviations the CV's own degree evidences ("B.S." for "Bachelor of Science").
DEGREE_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "bachelor of science": frozenset({"bs", "bsc"}),
    "bachelor of arts": frozenset({"ba"}),
    "bachelor of engineering": frozenset({"beng"}),
    "master of science": frozenset({"ms", "msc"}),
    "master of arts": frozenset({"ma"}),
    "master of engineering": frozenset({"meng"}),
    "master of business administration": frozenset({"mba"}),
    "doctor of philosophy": frozenset({"phd"}),
}
