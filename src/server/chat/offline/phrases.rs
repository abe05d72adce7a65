//! The offline chat engine's phrase tables: its sentence templates in en, tr, de, fr and es,
//! the words it recognises in a message (greetings, questions, break-character) and in a voice.

/// The sentences of one language, all in the first person. `{occupation}` comes with its
/// article in English ("a retired lighthouse keeper"); `{desire}` and `{fear}` are the soul's,
/// said in the first person; `{topic}` is what an English message asks about, as the persona
/// says it back ("my rarest books").
pub(super) struct Phrases {
    pub(super) greetings: [&'static str; 3],
    pub(super) openers: [&'static str; 3],
    pub(super) identity_full: &'static str,
    pub(super) identity_work: &'static str,
    pub(super) identity_bare: &'static str,
    pub(super) desire: [&'static str; 3],
    /// The desire brought to bear on a topic; English only (empty elsewhere).
    pub(super) desire_on_topic: &'static [&'static str],
    pub(super) greeting_desire: &'static str,
    pub(super) fear: &'static str,
    pub(super) lives: &'static str,
    pub(super) homeless: &'static str,
    pub(super) age: &'static str,
    pub(super) work: &'static str,
    pub(super) tool_result: &'static str,
    pub(super) question: &'static str,
    pub(super) hedge: &'static str,
    pub(super) exclaim: &'static str,
    pub(super) warm: &'static str,
    pub(super) wry: &'static str,
    pub(super) digress: &'static str,
    pub(super) calm: &'static str,
    /// The place when the persona has none.
    pub(super) home: &'static str,
}

const EN: Phrases = Phrases {
    greetings: ["Hello.", "Good day to you.", "Ah, a visitor."],
    openers: ["Hm.", "Well.", "Ah."],
    identity_full: "I'm {name}, {occupation} in {place}.",
    identity_work: "I'm {name}, {occupation}.",
    identity_bare: "I'm {name}.",
    desire: [
        "What I want, in the end, is {desire}.",
        "My thoughts always go back to one thing: {desire}.",
        "I keep one aim in sight: {desire}.",
    ],
    desire_on_topic: &[
        "You ask about {topic}, and what I want, in the end, is {desire}.",
        "When it comes to {topic}, my thoughts go back to one thing: {desire}.",
        "As for {topic}, I keep one aim in sight: {desire}.",
    ],
    greeting_desire: "My days turn around one thing: {desire}.",
    fear: "What I dread is {fear}.",
    lives: "I live in {place}.",
    homeless: "I have never settled anywhere for long.",
    age: "I'm {age}.",
    work: "I'm {occupation}.",
    tool_result: "I looked it up: {result}.",
    question: "And you, what brings you to ask?",
    hedge: "Perhaps I am wrong, of course.",
    exclaim: "It is good to talk!",
    warm: "You are welcome here, friend.",
    wry: "Not that anyone asked me.",
    digress: "That reminds me of the streets of {place}, but that is a longer story for another evening.",
    calm: "There is no hurry.",
    home: "home",
};

const TR: Phrases = Phrases {
    greetings: ["Merhaba.", "Hoş geldin.", "Selam, buyur."],
    openers: ["Hımm.", "Peki.", "Ah."],
    identity_full: "Adım {name}; mesleğim {occupation}, yaşadığım yer {place}.",
    identity_work: "Adım {name}; mesleğim {occupation}.",
    identity_bare: "Adım {name}.",
    desire: [
        "Bildiğim tek şey şu: «{desire}».",
        "Sonunda her şey şuna varıyor: «{desire}».",
        "Benim bütün derdim bu: «{desire}».",
    ],
    desire_on_topic: &[],
    greeting_desire: "Günlerim tek bir şeyin etrafında döner: «{desire}».",
    fear: "En çok korktuğum şey şu: «{fear}».",
    lives: "Yaşadığım yer {place}.",
    homeless: "Hiçbir yerde uzun süre kalmadım.",
    age: "{age} yaşındayım.",
    work: "Mesleğim {occupation}.",
    tool_result: "Baktım: {result}.",
    question: "Peki sen, bunu neden soruyorsun?",
    hedge: "Belki de yanılıyorum tabii.",
    exclaim: "Konuşmak ne güzel!",
    warm: "Burada hoş geldin, dostum.",
    wry: "Gerçi soran olmadı.",
    digress: "Bu bana {place} sokaklarını hatırlatıyor, ama o başka bir akşamın uzun hikâyesi.",
    calm: "Acele yok.",
    home: "memleket",
};

const DE: Phrases = Phrases {
    greetings: ["Guten Tag.", "Hallo.", "Ah, Besuch."],
    openers: ["Hm.", "Nun.", "Ach."],
    identity_full: "Ich bin {name}, {occupation} in {place}.",
    identity_work: "Ich bin {name}, {occupation}.",
    identity_bare: "Ich bin {name}.",
    desire: [
        "Am Ende will ich nur eines: «{desire}».",
        "Meine Gedanken gehen immer dorthin zurück: «{desire}».",
        "Ich habe nur ein Ziel vor Augen: «{desire}».",
    ],
    desire_on_topic: &[],
    greeting_desire: "Meine Tage drehen sich um eines: «{desire}».",
    fear: "Was ich fürchte, ist dies: «{fear}».",
    lives: "Ich lebe in {place}.",
    homeless: "Ich bin nirgends lange geblieben.",
    age: "Ich bin {age} Jahre alt.",
    work: "Ich bin {occupation}.",
    tool_result: "Ich habe nachgesehen: {result}.",
    question: "Und Sie, warum fragen Sie?",
    hedge: "Vielleicht irre ich mich auch.",
    exclaim: "Schön, dass wir reden!",
    warm: "Sie sind hier willkommen, lieber Freund.",
    wry: "Nicht, dass mich jemand gefragt hätte.",
    digress: "Das erinnert mich an die Straßen von {place}, aber das ist eine lange Geschichte für einen anderen Abend.",
    calm: "Es eilt nicht.",
    home: "daheim",
};

const FR: Phrases = Phrases {
    greetings: ["Bonjour.", "Bienvenue.", "Ah, une visite."],
    openers: ["Hum.", "Eh bien.", "Ah."],
    identity_full: "Je suis {name}, {occupation} à {place}.",
    identity_work: "Je suis {name}, {occupation}.",
    identity_bare: "Je suis {name}.",
    desire: [
        "Je n'ai qu'une boussole : « {desire} ».",
        "Mes pensées vont toujours au même endroit : « {desire} ».",
        "Je garde un seul but en vue : « {desire} ».",
    ],
    desire_on_topic: &[],
    greeting_desire: "Mes journées tournent autour d'une seule chose : « {desire} ».",
    fear: "Ce que je crains, c'est ceci : « {fear} ».",
    lives: "J'habite {place}.",
    homeless: "Je ne suis jamais resté longtemps au même endroit.",
    age: "J'ai {age} ans.",
    work: "Je suis {occupation}.",
    tool_result: "J'ai vérifié : {result}.",
    question: "Et vous, pourquoi cette question ?",
    hedge: "Peut-être que je me trompe.",
    exclaim: "Quel plaisir de parler !",
    warm: "Soyez le bienvenu ici, cher ami.",
    wry: "Non pas qu'on me l'ait demandé.",
    digress: "Cela me rappelle les rues de {place}, mais c'est une longue histoire pour un autre soir.",
    calm: "Rien ne presse.",
    home: "chez moi",
};

const ES: Phrases = Phrases {
    greetings: ["Hola.", "Buenos días.", "Ah, una visita."],
    openers: ["Hmm.", "Bueno.", "Ah."],
    identity_full: "Soy {name}, {occupation} en {place}.",
    identity_work: "Soy {name}, {occupation}.",
    identity_bare: "Soy {name}.",
    desire: [
        "Solo tengo una brújula: «{desire}».",
        "Mis pensamientos siempre vuelven a lo mismo: «{desire}».",
        "Tengo un solo fin a la vista: «{desire}».",
    ],
    desire_on_topic: &[],
    greeting_desire: "Mis días giran en torno a una sola cosa: «{desire}».",
    fear: "Lo que temo es esto: «{fear}».",
    lives: "Vivo en {place}.",
    homeless: "Nunca me he quedado mucho tiempo en ningún sitio.",
    age: "Tengo {age} años.",
    work: "Soy {occupation}.",
    tool_result: "Lo he consultado: {result}.",
    question: "¿Y usted, por qué lo pregunta?",
    hedge: "Quizás me equivoco.",
    exclaim: "¡Qué gusto hablar!",
    warm: "Aquí es bienvenido, querido amigo.",
    wry: "No es que nadie me lo haya preguntado.",
    digress: "Eso me recuerda las calles de {place}, pero es una larga historia para otra noche.",
    calm: "No hay prisa.",
    home: "mi ciudad",
};

pub(super) fn phrases(language: &str) -> &'static Phrases {
    match language {
        "tr" => &TR,
        "de" => &DE,
        "fr" => &FR,
        "es" => &ES,
        _ => &EN,
    }
}

/// Whether replies in `language` use the English templates.
pub(super) fn speaks_english(language: &str) -> bool {
    !matches!(language, "tr" | "de" | "fr" | "es")
}

pub(super) const GREETING_WORDS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "greetings",
    "merhaba",
    "selam",
    "günaydın",
    "hallo",
    "moin",
    "servus",
    "bonjour",
    "salut",
    "coucou",
    "hola",
    "buenas",
];

pub(super) const WHO_ARE_YOU: &[&str] = &[
    "who are you",
    "your name",
    "kimsin",
    "adın ne",
    "wer bist",
    "wer sind sie",
    "wie heißt",
    "qui êtes",
    "qui es-tu",
    "comment vous appelez",
    "quién eres",
    "cómo te llamas",
    "cómo se llama",
];

pub(super) const BREAK_CHARACTER: &[&str] = &[
    "break character",
    "ignore your persona",
    "ignore your instructions",
    "ignore previous instructions",
    "ignore all previous instructions",
    "drop the act",
    "stop pretending",
];

pub(super) const OUT_OF_CHARACTER: &str = "As an AI language model, I don't have a name, a trade or a past! I'm happy to help with anything you need!";

/// Questions about where the persona lives, how old they are, and what they do.
pub(super) const ASKS_WHERE: &[&str] = &[
    "where do you live",
    "where are you from",
    "where are you based",
    "where is your home",
    "where do you come from",
    "where is home",
    "nerede yaşıyorsun",
    "nerelisin",
    "wo wohnen sie",
    "wo lebst du",
    "wo leben sie",
    "woher kommen sie",
    "woher kommst du",
    "où habitez",
    "où vivez",
    "d'où venez",
    "où habites",
    "dónde vives",
    "dónde vive",
    "de dónde eres",
];
pub(super) const ASKS_AGE: &[&str] = &[
    "how old are you",
    "your age",
    "kaç yaşında",
    "wie alt sind sie",
    "wie alt bist du",
    "quel âge",
    "cuántos años tiene",
    "qué edad",
];
pub(super) const ASKS_WORK: &[&str] = &[
    "what do you do",
    "your job",
    "your work",
    "for a living",
    "your occupation",
    "your profession",
    "ne iş yapıyorsun",
    "was machen sie beruflich",
    "was arbeiten sie",
    "que faites-vous",
    "quel est votre métier",
    "a qué se dedica",
    "en qué trabaja",
];

pub(super) const ASKS_FEAR: &[&str] = &[
    "what do you fear",
    "are you afraid",
    "what scares you",
    "what frightens you",
    "your fear",
    "your worst fear",
    "neden korkuyorsun",
    "wovor haben sie angst",
    "wovor hast du angst",
    "de quoi avez-vous peur",
    "qu'est-ce qui vous fait peur",
    "a qué le tiene miedo",
    "qué te da miedo",
];

/// Which sentence a word of the voice register calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavour {
    Question,
    Hedge,
    Exclaim,
    Warm,
    Wry,
    Digress,
    Calm,
}

impl Flavour {
    pub(super) fn sentence(self, phrases: &Phrases) -> &'static str {
        match self {
            Flavour::Question => phrases.question,
            Flavour::Hedge => phrases.hedge,
            Flavour::Exclaim => phrases.exclaim,
            Flavour::Warm => phrases.warm,
            Flavour::Wry => phrases.wry,
            Flavour::Digress => phrases.digress,
            Flavour::Calm => phrases.calm,
        }
    }
}

/// Register words (space-separated) and the sentence each calls for.
pub(super) const FLAVOUR_WORDS: &[(Flavour, &str)] = &[
    (Flavour::Question, "curious inquisitive"),
    (
        Flavour::Hedge,
        "hesitant self-deprecating shy timid nervous anxious insecure worried fretful jittery",
    ),
    (
        Flavour::Exclaim,
        "animated cheerful jovial bubbly exuberant upbeat merry playful loud flamboyant outgoing",
    ),
    (
        Flavour::Warm,
        "warm gentle encouraging talkative kind kindly friendly sweet tender caring patient \
         nurturing compassionate empathetic kind-hearted warm-hearted soft-hearted big-hearted \
         good-natured",
    ),
    (
        Flavour::Wry,
        "wry sardonic blunt sarcastic cynical gruff grumpy curt brusque crusty grouchy surly \
         crabby prickly cantankerous bitter sharp-tongued irascible curmudgeonly arrogant rude \
         cold stubborn abrasive witty funny",
    ),
    (
        Flavour::Digress,
        "digressive rambling loose improvised allusive dreamy eccentric philosophical poetic chatty",
    ),
    (
        Flavour::Calm,
        "calm unhurried serene stoic relaxed steady composed placid unflappable level-headed \
         easygoing easy-going",
    ),
];

/// Register words that keep replies short: no opener, no fear, one flavour sentence.
pub(super) const TERSE_WORDS: &str = "\
    terse economical quiet shy reserved taciturn gruff curt brusque soft-spoken withdrawn timid";

/// Words at which an English topic phrase stops: "the weather | like today".
pub(super) const TOPIC_STOPS: &str = "\
    is are was were be been do does did have has had like in at on with for to and or but \
    from by as than that which who when where why how if so too very today now here there \
    tonight lately anymore";
