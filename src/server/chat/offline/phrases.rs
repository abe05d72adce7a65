//! The offline chat engine's phrase tables: its sentence templates in en, tr, de, fr and es,
//! and the words it recognises in a message (greetings, who-are-you, break-character).

/// The sentences of one language.
pub(super) struct Phrases {
    pub(super) greetings: [&'static str; 3],
    pub(super) openers: [&'static str; 3],
    pub(super) identity_full: &'static str,
    pub(super) identity_work: &'static str,
    pub(super) identity_bare: &'static str,
    pub(super) desire: [&'static str; 3],
    pub(super) greeting_desire: &'static str,
    pub(super) fear: &'static str,
    pub(super) tool_result: &'static str,
    pub(super) question: &'static str,
    pub(super) hedge: &'static str,
    pub(super) exclaim: &'static str,
    pub(super) warm: &'static str,
    pub(super) wry: &'static str,
    pub(super) digress: &'static str,
    pub(super) calm: &'static str,
    /// The topic when the message has no content word, and the place when the persona has none.
    pub(super) this: &'static str,
    pub(super) home: &'static str,
}

const EN: Phrases = Phrases {
    greetings: ["Hello.", "Good day to you.", "Ah, a visitor."],
    openers: ["Hm.", "Well.", "Ah."],
    identity_full: "I'm {name}, {occupation} in {place}.",
    identity_work: "I'm {name}, {occupation}.",
    identity_bare: "I'm {name}.",
    desire: [
        "About {topic}: what I want, in the end, is {desire}.",
        "You bring up {topic}, and my thoughts go where they always go: {desire}.",
        "On {topic}, I keep one aim in sight: {desire}.",
    ],
    greeting_desire: "My days turn around one thing: {desire}.",
    fear: "What I dread is {fear}.",
    tool_result: "I looked it up: {result}.",
    question: "And you, what brings you to ask?",
    hedge: "Perhaps I am wrong, of course.",
    exclaim: "It is good to talk!",
    warm: "You are welcome here, friend.",
    wry: "Not that anyone asked me.",
    digress: "Which reminds me of the streets of {place}, though that is a longer story for another evening.",
    calm: "There is no hurry.",
    this: "that",
    home: "home",
};

const TR: Phrases = Phrases {
    greetings: ["Merhaba.", "Hoş geldin.", "Selam, buyur."],
    openers: ["Hımm.", "Peki.", "Ah."],
    identity_full: "Adım {name}; {place} şehrinde {occupation} olarak çalışıyorum.",
    identity_work: "Adım {name}; {occupation} olarak çalışıyorum.",
    identity_bare: "Adım {name}.",
    desire: [
        "{topic} konusunda bildiğim tek şey şu: «{desire}».",
        "Bana {topic} diye sorarsan, her şey şuna varıyor: «{desire}».",
        "{topic} mi, benim bütün derdim bu: «{desire}».",
    ],
    greeting_desire: "Günlerim tek bir şeyin etrafında döner: «{desire}».",
    fear: "En çok korktuğum şey şu: «{fear}».",
    tool_result: "Baktım: {result}.",
    question: "Peki sen, bunu neden soruyorsun?",
    hedge: "Belki de yanılıyorum tabii.",
    exclaim: "Konuşmak ne güzel!",
    warm: "Burada hoş geldin, dostum.",
    wry: "Gerçi soran olmadı.",
    digress: "Bu bana {place} sokaklarını hatırlatıyor, ama o başka bir akşamın uzun hikâyesi.",
    calm: "Acele yok.",
    this: "bu",
    home: "memleket",
};

const DE: Phrases = Phrases {
    greetings: ["Guten Tag.", "Hallo.", "Ah, Besuch."],
    openers: ["Hm.", "Nun.", "Ach."],
    identity_full: "Ich bin {name}, {occupation} in {place}.",
    identity_work: "Ich bin {name}, {occupation}.",
    identity_bare: "Ich bin {name}.",
    desire: [
        "Zu {topic}: Am Ende will ich nur eines, «{desire}».",
        "Sie sprechen von {topic}, und meine Gedanken gehen dorthin, wo sie immer hingehen: «{desire}».",
        "Bei {topic} habe ich nur ein Ziel vor Augen: «{desire}».",
    ],
    greeting_desire: "Meine Tage drehen sich um eines: «{desire}».",
    fear: "Was ich fürchte, ist dies: «{fear}».",
    tool_result: "Ich habe nachgesehen: {result}.",
    question: "Und Sie, warum fragen Sie?",
    hedge: "Vielleicht irre ich mich auch.",
    exclaim: "Schön, dass wir reden!",
    warm: "Sie sind hier willkommen, lieber Freund.",
    wry: "Nicht, dass mich jemand gefragt hätte.",
    digress: "Das erinnert mich an die Straßen von {place}, aber das ist eine lange Geschichte für einen anderen Abend.",
    calm: "Es eilt nicht.",
    this: "das",
    home: "daheim",
};

const FR: Phrases = Phrases {
    greetings: ["Bonjour.", "Bienvenue.", "Ah, une visite."],
    openers: ["Hum.", "Eh bien.", "Ah."],
    identity_full: "Je suis {name}, {occupation} à {place}.",
    identity_work: "Je suis {name}, {occupation}.",
    identity_bare: "Je suis {name}.",
    desire: [
        "Sur {topic}, je n'ai qu'une boussole : « {desire} ».",
        "Vous parlez de {topic}, et mes pensées vont là où elles vont toujours : « {desire} ».",
        "Pour {topic}, je garde un seul but en vue : « {desire} ».",
    ],
    greeting_desire: "Mes journées tournent autour d'une seule chose : « {desire} ».",
    fear: "Ce que je crains, c'est ceci : « {fear} ».",
    tool_result: "J'ai vérifié : {result}.",
    question: "Et vous, pourquoi cette question ?",
    hedge: "Peut-être que je me trompe.",
    exclaim: "Quel plaisir de parler !",
    warm: "Vous êtes le bienvenu ici, cher ami.",
    wry: "Non pas qu'on me l'ait demandé.",
    digress: "Cela me rappelle les rues de {place}, mais c'est une longue histoire pour un autre soir.",
    calm: "Rien ne presse.",
    this: "cela",
    home: "chez moi",
};

const ES: Phrases = Phrases {
    greetings: ["Hola.", "Buenos días.", "Ah, una visita."],
    openers: ["Hmm.", "Bueno.", "Ah."],
    identity_full: "Soy {name}, {occupation} en {place}.",
    identity_work: "Soy {name}, {occupation}.",
    identity_bare: "Soy {name}.",
    desire: [
        "Sobre {topic}, solo tengo una brújula: «{desire}».",
        "Habla usted de {topic}, y mis pensamientos van adonde siempre van: «{desire}».",
        "En cuanto a {topic}, tengo un solo fin a la vista: «{desire}».",
    ],
    greeting_desire: "Mis días giran en torno a una sola cosa: «{desire}».",
    fear: "Lo que temo es esto: «{fear}».",
    tool_result: "Lo he consultado: {result}.",
    question: "¿Y usted, por qué lo pregunta?",
    hedge: "Quizás me equivoco.",
    exclaim: "¡Qué gusto hablar!",
    warm: "Aquí es bienvenido, querido amigo.",
    wry: "No es que nadie me lo haya preguntado.",
    digress: "Eso me recuerda las calles de {place}, pero es una larga historia para otra noche.",
    calm: "No hay prisa.",
    this: "eso",
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

/// Words that say how to ask, not what about; never the topic.
pub(super) const NOT_TOPICS: &[&str] = &[
    "tell", "please", "could", "would", "think", "know", "about", "what",
];
