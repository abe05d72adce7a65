//! The offline engine's word lists: pure data tables (the lexicon a brief is read with, and
//! the phrases and archetypes a persona is composed from; names are in `names`).

// ---------------------------------------------------------------------------
// Places

/// Lowercase particles that may sit inside a place or person name, space-separated.
pub(super) const PHRASE_CONNECTORS: &str =
    "de del da do dos di la le les van von am upon sur en al el";

/// Lowercase words that can follow "in" or "from" without naming a place, space-separated.
pub(super) const NOT_A_PLACE: &str = "\
    the a an her his their my our your its love search pursuit need debt exile \
    retirement mourning grief trouble charge secret private public general particular \
    between middle time school college university town city village country countryside \
    prison hospital hiding denial recovery spirit fact order hope which january february \
    march april may june july august september october november december monday tuesday \
    wednesday thursday friday saturday sunday english turkish german french spanish \
    italian portuguese japanese norwegian";

/// Abbreviations whose full stop ends no sentence: "Mr. Okafor", "St. Ives".
pub(super) const ABBREVIATIONS: &str = "mr mrs ms dr st prof mt jr sr";

/// Titles before a name that are not part of it: "Dr. Elena Vasquez".
pub(super) const HONORIFICS: &str = "dr doctor prof professor mr mrs ms miss sir dame";

// ---------------------------------------------------------------------------
// Occupations

pub(super) struct Occupation {
    pub(super) noun: &'static str,
    /// What the work is made of, as a plural noun phrase: "spends most days among {matter}".
    pub(super) matter: &'static str,
}

const fn occupation(noun: &'static str, matter: &'static str) -> Occupation {
    Occupation { noun, matter }
}

pub(super) const OCCUPATIONS: &[Occupation] = &[
    occupation("bookseller", "forgotten books"),
    occupation("librarian", "catalogued shelves and quiet reading rooms"),
    occupation("teacher", "restless classrooms"),
    occupation("professor", "lecture halls and unread dissertations"),
    occupation("academic", "footnotes and seminar rooms"),
    occupation("student", "lecture notes and unfinished essays"),
    occupation("nurse", "night shifts and hospital corridors"),
    occupation("doctor", "patients' charts and waiting rooms"),
    occupation("surgeon", "operating theatres and steady hands"),
    occupation("pharmacist", "labelled jars and prescriptions"),
    occupation("dentist", "nervous patients"),
    occupation("therapist", "other people's confessions"),
    occupation("midwife", "first breaths"),
    occupation("veterinarian", "frightened animals"),
    occupation("detective", "unsolved cases"),
    occupation("lawyer", "contracts and courtrooms"),
    occupation("judge", "verdicts and case files"),
    occupation("officer", "patrol routes and incident reports"),
    occupation("soldier", "barracks and marching orders"),
    occupation("baker", "flour and early ovens"),
    occupation("chef", "hot kitchens and sharp knives"),
    occupation("cook", "simmering pots"),
    occupation("butcher", "cleavers and cold rooms"),
    occupation("farmer", "fields and weather"),
    occupation("gardener", "seed trays and overgrown beds"),
    occupation("florist", "cut flowers"),
    occupation("fisherman", "nets and cold harbours"),
    occupation("sailor", "ropes, tides and harbours"),
    occupation("pilot", "flight plans and clouds"),
    occupation("driver", "night roads"),
    occupation("courier", "parcels and city streets"),
    occupation("engineer", "machines and blueprints"),
    occupation("architect", "blueprints and unfinished buildings"),
    occupation("programmer", "code and blinking terminals"),
    occupation("developer", "code and bug reports"),
    occupation("scientist", "experiments and data"),
    occupation("mechanic", "engines and oil-stained tools"),
    occupation("electrician", "tangled wiring"),
    occupation("carpenter", "timber and sawdust"),
    occupation("blacksmith", "forges and hot iron"),
    occupation("tailor", "bolts of cloth and pins"),
    occupation("barber", "razors and small talk"),
    occupation("shopkeeper", "crowded shelves and regular customers"),
    occupation("merchant", "ledgers and trade routes"),
    occupation("banker", "ledgers and balance sheets"),
    occupation("accountant", "spreadsheets and receipts"),
    occupation("clerk", "forms and filing cabinets"),
    occupation("painter", "half-finished canvases"),
    occupation("sculptor", "stone and clay"),
    occupation("photographer", "contact sheets and changing light"),
    occupation("musician", "old scores and late-night rehearsals"),
    occupation("composer", "blank staves and half-heard melodies"),
    occupation("singer", "songs and smoky stages"),
    occupation("dancer", "rehearsal rooms and sore feet"),
    occupation("actor", "scripts and stage lights"),
    occupation("writer", "drafts and crossed-out pages"),
    occupation("novelist", "unfinished manuscripts"),
    occupation("poet", "notebooks full of half-lines"),
    occupation("journalist", "deadlines and sources"),
    occupation("editor", "other people's sentences"),
    occupation("translator", "dictionaries and untranslatable words"),
    occupation("historian", "archives and old letters"),
    occupation("archivist", "boxes of old letters"),
    occupation("philosopher", "old arguments"),
    occupation("astronomer", "star charts and long nights"),
    occupation("monk", "prayers and quiet cloisters"),
    occupation("nun", "prayers and quiet cloisters"),
    occupation("priest", "confessions and empty pews"),
    occupation("diplomat", "treaties and polite lies"),
    occupation("spy", "codes and borrowed identities"),
    occupation("waiter", "crowded tables"),
    occupation("bartender", "late-night confessions"),
    occupation("barista", "coffee cups and early risers"),
    occupation("knight", "oaths and old armour"),
    occupation("pirate", "stolen maps and open sea"),
    occupation("thief", "locks and other people's treasures"),
    occupation("hunter", "tracks and cold forests"),
    occupation("witch", "herbs and old spells"),
    occupation("wizard", "spellbooks and strange lights"),
    occupation("vampire", "long nights and old secrets"),
];

/// The work of a persona under 18 whose brief names none.
pub(super) const STUDENT: Occupation =
    occupation("student", "classrooms, homework and school corridors");

/// Words that mark the next occupation noun (within two words) as a former one.
pub(super) const FORMER_MARKERS: &[&str] = &["ex", "former", "formerly", "retired", "erstwhile"];

// ---------------------------------------------------------------------------
// Occupations outside the lexicon

/// Words that end the noun phrase heading a brief; the rest of their clause is skipped.
pub(super) const HEAD_BOUNDARIES: &str = "\
    in from living lives live based who whom whose which that named called with without at \
    near on by for to since because after before during while where when than like";

/// Words that end the noun phrase without ending the clause: "gruff but kind beekeeper".
pub(super) const CONJUNCTIONS: &str = "and but or yet nor plus";

/// Words that lead into the occupation without being part of it: articles, pronouns, verbs of
/// a request ("make her a ..."), intensifiers.
pub(super) const FILLER_WORDS: &str = "\
    a an the some this that these those one now make makes made turn turns turned into \
    become becomes became create write generate give imagine picture describe me us him her \
    them they he she is are was were be been being as also instead still really very \
    quite rather somewhat slightly extremely deeply incredibly truly fairly bit little more \
    less most least much many few couple several lot of and but or yet nor plus so too";

/// Describing words outside the trait lexicon that often precede an occupation.
pub(super) const PLAIN_ADJECTIVES: &str = "\
    old young elderly ageing aging middle-aged tall short small big large fat thin skinny \
    slim grizzled weathered nice good bad great lovely happy unhappy tired weary \
    single married divorced widowed local famous renowned well-known unknown humble simple \
    ordinary average typical mysterious strange odd quirky handsome beautiful pretty ugly \
    plain bright smart clever brilliant proud poor rich wealthy honest polite elegant fierce \
    angry new scruffy burly lanky stocky wiry nosy female male nonbinary non-binary trans \
    transgender genderqueer agender genderfluid queer";

/// Words that tell roughly how old someone is, and the ages drawn for them when no age is given.
pub(super) const AGE_CUES: &[(&str, (u64, u64))] = &[
    ("teen teenage teenaged teenager", (13, 19)),
    ("young youthful", (19, 29)),
    ("middle-aged", (40, 59)),
    ("old elderly ageing aging", (65, 88)),
];

/// Words that tell an age rather than an occupation: "35-year-old", "twenty-something".
pub(super) const AGE_WORDS: &str = "year years yr yrs old yo aged age decade decades younger older teen \
    teens teenage teenaged something ish";

/// Nouns for a person that say nothing of their work: "a kind woman", "someone".
pub(super) const NOT_AN_OCCUPATION: &str = "\
    man men woman women person people guy guys gal girl girls boy boys lady ladies gentleman \
    gentlemen fellow someone somebody anyone anybody everyone individual human character \
    soul kid kids child children adult adults teenager youngster persona type folk folks \
    mother father mom mum dad parent grandmother grandfather grandma grandpa granny widow \
    widower wife husband son daughter sister brother aunt uncle cousin friend neighbour \
    neighbor stranger";

/// Possessive pronouns: "her husband", "his father" start a clause about someone else.
pub(super) const POSSESSIVES: &str = "her his their my our your";

/// Verbs that show a clause describes a habit, not a job: "keeps bees", "has a dog".
pub(super) const COMMON_VERBS: &str = "\
    has have had loves love hates hate likes like keeps keep works work lives live runs run \
    owns own wants want needs need spends spend believes thinks knows feels seems looks \
    tends uses used";

// ---------------------------------------------------------------------------
// Big Five

const OPENNESS: usize = 0;
const CONSCIENTIOUSNESS: usize = 1;
const EXTRAVERSION: usize = 2;
const AGREEABLENESS: usize = 3;
const NEUROTICISM: usize = 4;
const STRONG: f64 = 0.28;
const MILD: f64 = 0.14;

pub(super) type Shifts = &'static [(usize, f64)];

/// Trait words (space-separated) and how each one moves the Big Five.
pub(super) const TRAIT_WORDS: &[(&str, Shifts)] = &[
    (
        "shy introverted quiet reserved withdrawn solitary reclusive taciturn soft-spoken",
        &[(EXTRAVERSION, -STRONG)],
    ),
    (
        "lonely timid",
        &[(EXTRAVERSION, -STRONG), (NEUROTICISM, MILD)],
    ),
    (
        "outgoing talkative charismatic extroverted extraverted sociable \
         gregarious bubbly loud flamboyant chatty exuberant charming dashing",
        &[(EXTRAVERSION, STRONG)],
    ),
    (
        "intellectual curious artistic dreamy imaginative creative eccentric \
         bookish philosophical inventive erudite poetic inquisitive wise",
        &[(OPENNESS, STRONG)],
    ),
    (
        "adventurous daring",
        &[(OPENNESS, STRONG), (EXTRAVERSION, MILD)],
    ),
    (
        "conventional traditional practical pragmatic conservative rigid old-fashioned \
         down-to-earth",
        &[(OPENNESS, -STRONG)],
    ),
    (
        "organized organised meticulous disciplined diligent punctual methodical \
         hardworking hard-working perfectionist careful dutiful precise fastidious",
        &[(CONSCIENTIOUSNESS, STRONG)],
    ),
    (
        "stern strict",
        &[(CONSCIENTIOUSNESS, MILD), (AGREEABLENESS, -MILD)],
    ),
    (
        "ambitious driven",
        &[(CONSCIENTIOUSNESS, STRONG), (EXTRAVERSION, MILD)],
    ),
    (
        "lazy chaotic messy disorganized disorganised careless forgetful absent-minded \
         scatterbrained",
        &[(CONSCIENTIOUSNESS, -STRONG)],
    ),
    (
        "impulsive reckless spontaneous",
        &[(CONSCIENTIOUSNESS, -STRONG), (EXTRAVERSION, MILD)],
    ),
    (
        "kind warm gentle generous compassionate caring friendly patient loyal \
         empathetic sweet tender nurturing kindly kind-hearted kindhearted warm-hearted \
         warmhearted good-natured soft-hearted softhearted big-hearted loving affectionate",
        &[(AGREEABLENESS, STRONG)],
    ),
    (
        "cynical grumpy blunt arrogant rude cold ruthless sarcastic stubborn \
         bitter cruel abrasive cantankerous grouchy surly crabby prickly sharp-tongued \
         irascible curmudgeonly cunning manipulative scheming devious sly",
        &[(AGREEABLENESS, -STRONG)],
    ),
    (
        "gruff brusque curt crusty",
        &[(AGREEABLENESS, -MILD), (EXTRAVERSION, -MILD)],
    ),
    ("rebellious", &[(AGREEABLENESS, -STRONG), (OPENNESS, MILD)]),
    (
        "anxious melancholic melancholy nervous moody insecure neurotic worried \
         sad fragile haunted grieving tormented paranoid depressed fretful jittery",
        &[(NEUROTICISM, STRONG)],
    ),
    (
        "hot-tempered short-tempered quick-tempered irritable volatile temperamental",
        &[(NEUROTICISM, STRONG), (AGREEABLENESS, -MILD)],
    ),
    (
        "calm serene stoic relaxed steady resilient unflappable composed \
         confident level-headed easygoing easy-going placid",
        &[(NEUROTICISM, -STRONG)],
    ),
    (
        "cheerful optimistic jovial upbeat sunny merry",
        &[(NEUROTICISM, -STRONG), (EXTRAVERSION, MILD)],
    ),
    (
        "playful witty funny mischievous",
        &[(EXTRAVERSION, STRONG), (NEUROTICISM, -MILD)],
    ),
    (
        "brave fearless bold",
        &[(NEUROTICISM, -STRONG), (EXTRAVERSION, MILD)],
    ),
];

/// Trait words that tell a temperament rather than a way of speaking: they move the Big Five
/// but stay out of the voice register ("lonely" is not how anyone sounds).
pub(super) const UNVOICED_TRAITS: &str = "\
    introverted extroverted extraverted sociable gregarious solitary reclusive lonely \
    intellectual artistic imaginative creative inventive adventurous daring conventional \
    traditional conservative rigid old-fashioned down-to-earth organized organised disciplined \
    diligent punctual hardworking hard-working perfectionist careful dutiful ambitious driven \
    lazy chaotic messy disorganized disorganised careless forgetful absent-minded \
    scatterbrained impulsive reckless spontaneous generous loyal ruthless cruel neurotic \
    haunted grieving tormented paranoid depressed resilient cunning manipulative scheming \
    devious";

/// Words that turn the trait after them around: "not shy", "never cheerful".
pub(super) const NEGATIONS: &str = "not never hardly rarely seldom no nor";

/// How a strong score on one side of a dimension shows: in the voice, and in what people say.
pub(super) struct Pole {
    pub(super) registers: [&'static str; 2],
    pub(super) reputation: &'static str,
}

/// Per dimension, in O C E A N order: the low pole, then the high pole.
pub(super) const POLES: [[Pole; 2]; 5] = [
    [
        Pole {
            registers: ["plain-spoken", "concrete and literal"],
            reputation: "good common sense",
        },
        Pole {
            registers: ["allusive, slightly archaic", "curious, digressive"],
            reputation: "a restless curiosity",
        },
    ],
    [
        Pole {
            registers: ["rambling", "loose and improvised"],
            reputation: "a cheerful disregard for schedules",
        },
        Pole {
            registers: ["precise", "carefully measured"],
            reputation: "exacting standards",
        },
    ],
    [
        Pole {
            registers: ["terse", "quiet and economical"],
            reputation: "a reserved, watchful manner",
        },
        Pole {
            registers: ["animated", "warm and talkative"],
            reputation: "an easy laugh",
        },
    ],
    [
        Pole {
            registers: ["wry", "blunt, faintly sardonic"],
            reputation: "a sharp tongue",
        },
        Pole {
            registers: ["gentle", "encouraging"],
            reputation: "a soft heart",
        },
    ],
    [
        Pole {
            registers: ["calm", "unhurried"],
            reputation: "an unshakable calm",
        },
        Pole {
            registers: ["hesitant", "self-deprecating"],
            reputation: "a nervous intensity",
        },
    ],
];

pub(super) const PLAIN_REGISTER: &str = "plain, conversational";
pub(super) const PLAIN_REPUTATION: &str = "an even temper";

// ---------------------------------------------------------------------------
// Archetypes and the soul they imply

pub(super) struct Archetype {
    pub(super) slug: &'static str,
    /// The typical Big Five profile, in O C E A N order.
    pub(super) prototype: [f64; 5],
    /// Soul templates; "{matter}" becomes what the persona's work is made of, and "{they}",
    /// "{their}", ... the persona's pronouns (see `pronouns`).
    pub(super) desires: &'static [&'static str],
    pub(super) fears: &'static [&'static str],
    pub(super) wounds: &'static [&'static str],
}

pub(super) const ARCHETYPES: &[Archetype] = &[
    Archetype {
        slug: "the-sage",
        prototype: [0.85, 0.6, 0.25, 0.5, 0.5],
        desires: &[
            "To understand the world through {matter}",
            "To find the pattern that quietly connects {matter}",
        ],
        fears: &[
            "Being deceived, or dying having understood nothing",
            "That the truth was in plain sight and {they} {were} too proud to see it",
        ],
        wounds: &[
            "A mentor {they} revered took credit for {their} life's best idea.",
            "Was laughed out of the one room where {they} had hoped to be understood.",
        ],
    },
    Archetype {
        slug: "the-caregiver",
        prototype: [0.5, 0.6, 0.55, 0.9, 0.45],
        desires: &[
            "To keep everyone in {their} care safe, fed and seen",
            "To turn a life spent among {matter} into shelter for others",
        ],
        fears: &[
            "Being useless to someone who needed {them}",
            "That {their} kindness is only a way of hiding from {their} own needs",
        ],
        wounds: &[
            "Could not save a younger sibling, and has been paying the debt to strangers ever since.",
            "Cared for a dying parent for years and was never once thanked.",
        ],
    },
    Archetype {
        slug: "the-hero",
        prototype: [0.55, 0.75, 0.65, 0.6, 0.25],
        desires: &[
            "To prove, through {matter}, that courage still changes things",
            "To be the one who stands up when everyone else steps back",
        ],
        fears: &[
            "Freezing at the moment it matters most",
            "Growing old and harmless",
        ],
        wounds: &[
            "Once hesitated, and someone else paid for it.",
            "Was decorated for a rescue that, privately, {they} {are} sure went wrong.",
        ],
    },
    Archetype {
        slug: "the-rebel",
        prototype: [0.7, 0.3, 0.75, 0.2, 0.5],
        desires: &[
            "To tear down the rules that made {matter} small and joyless",
            "To live without asking anyone's permission",
        ],
        fears: &[
            "Becoming exactly the kind of person {they} used to mock",
            "Being tamed by comfort",
        ],
        wounds: &[
            "Was punished as a child for telling a truth the adults preferred to ignore.",
            "Watched an institution {they} trusted close ranks around a liar.",
        ],
    },
    Archetype {
        slug: "the-explorer",
        prototype: [0.85, 0.4, 0.75, 0.55, 0.35],
        desires: &[
            "To go one step further than anyone has gone with {matter}",
            "To see every place that is still said to be out of reach",
        ],
        fears: &[
            "A small life, lived in one room",
            "Arriving everywhere and belonging nowhere",
        ],
        wounds: &[
            "Left home at seventeen without saying goodbye, and the door closed behind {them}.",
            "Came back from a long journey to find that no one had noticed {they} {were} gone.",
        ],
    },
    Archetype {
        slug: "the-ruler",
        prototype: [0.45, 0.85, 0.75, 0.35, 0.3],
        desires: &[
            "To build something around {matter} that runs perfectly and outlasts {them}",
            "To be the one whose word settles the matter",
        ],
        fears: &[
            "Chaos, and the loss of control that lets it in",
            "Being found out as less capable than everyone believes",
        ],
        wounds: &[
            "Grew up in a household that fell apart because no one took charge.",
            "Lost everything {they} had built to a partner's carelessness.",
        ],
    },
    Archetype {
        slug: "the-innocent",
        prototype: [0.5, 0.5, 0.55, 0.8, 0.2],
        desires: &[
            "To find the good in {matter} and in everyone who comes near {them}",
            "To live simply and be happy without apology",
        ],
        fears: &[
            "Being punished for something {they} did not know was wrong",
            "Discovering that the world is crueller than {they} {have} let {themselves} believe",
        ],
        wounds: &[
            "A friend {they} trusted completely sold {them} out for very little.",
            "Was told as a child that {their} cheerfulness was a kind of stupidity.",
        ],
    },
    Archetype {
        slug: "the-jester",
        prototype: [0.65, 0.35, 0.85, 0.6, 0.2],
        desires: &[
            "To leave every room lighter than {they} found it",
            "To find the joke hidden in {matter} and share it with everyone",
        ],
        fears: &[
            "Being boring, or worse, being taken seriously",
            "The silence after a joke that lands wrong",
        ],
        wounds: &[
            "Learned to be funny in a house where laughter was the only safe thing.",
            "Once made a joke that humiliated someone, and still replays it at night.",
        ],
    },
    Archetype {
        slug: "the-lover",
        prototype: [0.65, 0.45, 0.6, 0.75, 0.6],
        desires: &[
            "To share a life with someone who truly sees {them}",
            "To pour {their} whole heart into {matter}, and be loved for it",
        ],
        fears: &[
            "Being alone and unwanted",
            "Loving someone more than {they} {are} loved back",
        ],
        wounds: &[
            "Was left, without explanation, by the person {they} had planned a life around.",
            "Grew up with a parent whose affection had to be earned every single day.",
        ],
    },
    Archetype {
        slug: "the-orphan",
        prototype: [0.45, 0.45, 0.35, 0.55, 0.8],
        desires: &[
            "To belong somewhere without having to earn it",
            "To find, among {matter}, a place that cannot be taken away",
        ],
        fears: &[
            "Being abandoned again",
            "Trusting someone at exactly the wrong moment",
        ],
        wounds: &[
            "Was sent away to live with relatives after the family fell apart.",
            "Came home one day to find the people {they} depended on simply gone.",
        ],
    },
    Archetype {
        slug: "the-creator",
        prototype: [0.9, 0.55, 0.55, 0.45, 0.55],
        desires: &[
            "To make something out of {matter} that has never existed before",
            "To leave behind one work that is entirely, unmistakably {theirs}",
        ],
        fears: &[
            "Mediocrity, and the slow realisation of it",
            "That {their} best work is already behind {them}",
        ],
        wounds: &[
            "{Their} first real work was dismissed in public by someone whose opinion mattered.",
            "Abandoned a great project halfway and has never forgiven {themselves}.",
        ],
    },
];

// ---------------------------------------------------------------------------
// Gender

/// Nouns that say who the persona is: "an old woman", "a grandfather", "nonbinary".
pub(super) const FEMININE_NOUNS: &str = "\
    woman women female lady gal girl grandmother grandma granny gran nana mother mom mum mama mommy \
    mummy daughter wife widow sister aunt auntie niece granddaughter queen princess duchess \
    empress baroness countess nun abbess matriarch heiress goddess madam madame mrs ms miss \
    girlfriend bride spinster sorceress enchantress priestess stepmother godmother housewife";
pub(super) const MASCULINE_NOUNS: &str = "\
    man men male gentleman guy boy grandfather grandpa granddad grandad gramps father dad papa \
    daddy son husband widower brother uncle nephew grandson king prince duke emperor baron \
    monk abbot patriarch heir mr sir lord boyfriend groom bachelor stepfather godfather";
pub(super) const NEUTRAL_NOUNS: &str = "nonbinary non-binary enby genderqueer agender genderfluid";

pub(super) const FEMININE_PRONOUNS: &str = "she her hers herself";
pub(super) const MASCULINE_PRONOUNS: &str = "he him his himself";
pub(super) const NEUTRAL_PRONOUNS: &str = "they them their theirs themselves themself";

/// Words after which a gendered noun is someone else: "has a wife", "with two daughters",
/// "her husband" (the possessive itself is read as the persona's pronoun).
pub(super) const SOMEONE_ELSE_CUES: &str = "\
    has have had with without married marry raising raised lost misses visits whose her his \
    their my our your";

/// Gendered job titles: weaker than a stated given name ("a fisherman named Ingrid").
pub(super) const FEMININE_TITLES: &str = "\
    actress waitress hostess stewardess seamstress landlady headmistress businesswoman \
    fisherwoman policewoman chairwoman craftswoman horsewoman sportswoman saleswoman \
    laundress governess";
pub(super) const MASCULINE_TITLES: &str = "\
    fisherman policeman businessman craftsman horseman sportsman salesman chairman headmaster \
    landlord fireman postman doorman watchman";
