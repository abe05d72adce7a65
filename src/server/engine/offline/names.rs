//! The offline engine's name pools: given names by gender and family names, per language.
//! Pure data; `compose` draws from them and `pronouns` reads a given name's gender back.

use super::pronouns::Gender;

pub(super) struct NamePool {
    pub(super) languages: &'static [&'static str],
    pub(super) feminine: &'static [&'static str],
    pub(super) masculine: &'static [&'static str],
    /// Given names borne by people of any gender, for a persona who is "they".
    pub(super) neutral: &'static [&'static str],
    pub(super) family: &'static [&'static str],
}

impl NamePool {
    pub(super) fn given(&self, gender: Gender) -> &'static [&'static str] {
        match gender {
            Gender::Feminine => self.feminine,
            Gender::Masculine => self.masculine,
            Gender::Neutral => self.neutral,
        }
    }
}

/// The first pool (English) is the fallback for languages without their own.
pub(super) const NAME_POOLS: &[NamePool] = &[
    NamePool {
        languages: &["en"],
        feminine: &["Eleanor", "Margaret", "Clara", "Hazel", "Rose", "Iris"],
        masculine: &["James", "Thomas", "Samuel", "Oliver", "Henry", "Arthur"],
        neutral: &["Robin", "Alex", "Jordan", "Morgan", "Rowan", "Quinn"],
        family: &[
            "Whitfield",
            "Hart",
            "Ashford",
            "Bennett",
            "Carter",
            "Hollis",
            "Marsh",
            "Pryce",
            "Thorne",
            "Wells",
            "Everett",
            "Lane",
        ],
    },
    NamePool {
        languages: &["tr"],
        feminine: &["Elif", "Zeynep", "Ayşe", "Selin", "Defne", "Gül"],
        masculine: &["Mert", "Emre", "Burak", "Oğuz", "Çağan", "Barış"],
        neutral: &["Deniz", "Ekin", "Umut", "Evren"],
        family: &[
            "Kavaklı", "Yılmaz", "Öztürk", "Şahin", "Demir", "Çelik", "Aydın", "Koç", "Arslan",
            "Doğan", "Kılıç", "Güneş",
        ],
    },
    NamePool {
        languages: &["de"],
        feminine: &["Anna", "Lena", "Marie", "Greta", "Sophie", "Hannah"],
        masculine: &["Lukas", "Jonas", "Felix", "Jürgen", "Matthias", "Tobias"],
        neutral: &["Kim", "Luca", "Sascha", "Toni"],
        family: &[
            "Müller",
            "Schneider",
            "Fischer",
            "Weber",
            "Becker",
            "Hoffmann",
            "Schäfer",
            "Koch",
            "Richter",
            "Wolf",
            "Krüger",
            "Braun",
        ],
    },
    NamePool {
        languages: &["fr"],
        feminine: &["Léa", "Chloé", "Manon", "Amélie", "Inès", "Juliette"],
        masculine: &["Louis", "Hugo", "Julien", "Étienne", "Théo", "Mathieu"],
        neutral: &["Camille", "Dominique", "Claude", "Alix"],
        family: &[
            "Martin",
            "Bernard",
            "Dubois",
            "Lefèvre",
            "Moreau",
            "Laurent",
            "Girard",
            "Rousseau",
            "Fontaine",
            "Mercier",
            "Chevalier",
            "Garnier",
        ],
    },
    NamePool {
        languages: &["es"],
        feminine: &["Lucía", "Carmen", "Sofía", "Elena", "Marta", "Paula"],
        masculine: &["Mateo", "Javier", "Diego", "Álvaro", "Andrés", "Sergio"],
        neutral: &["Ariel", "Cruz", "Noa", "Trinidad"],
        family: &[
            "García",
            "Fernández",
            "López",
            "Martínez",
            "Sánchez",
            "Romero",
            "Navarro",
            "Torres",
            "Ruiz",
            "Peña",
            "Ortega",
            "Castillo",
        ],
    },
    NamePool {
        languages: &["it"],
        feminine: &["Giulia", "Chiara", "Francesca", "Sara", "Elena", "Martina"],
        masculine: &["Marco", "Luca", "Matteo", "Alessandro", "Davide", "Lorenzo"],
        neutral: &["Celeste", "Andrea", "Noa", "Ariel"],
        family: &[
            "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco", "Bruno", "Gallo",
        ],
    },
    NamePool {
        languages: &["pt"],
        feminine: &["Ana", "Beatriz", "Inês", "Mariana", "Leonor", "Carolina"],
        masculine: &["João", "Tiago", "Rafael", "Gonçalo", "Pedro", "Duarte"],
        neutral: &["Ariel", "Noa", "Darci", "Juraci"],
        family: &[
            "Silva",
            "Santos",
            "Ferreira",
            "Pereira",
            "Oliveira",
            "Costa",
            "Rodrigues",
            "Martins",
            "Sousa",
            "Gonçalves",
            "Lopes",
            "Araújo",
        ],
    },
    NamePool {
        languages: &["ja"],
        feminine: &["Yui", "Hina", "Sakura", "Mei", "Haruka", "Emi"],
        masculine: &["Haruto", "Sota", "Daiki", "Kenji", "Takumi", "Hiroshi"],
        neutral: &["Aoi", "Ren", "Yuki", "Hikaru", "Makoto", "Akira"],
        family: &[
            "Sato",
            "Suzuki",
            "Takahashi",
            "Tanaka",
            "Watanabe",
            "Ito",
            "Yamamoto",
            "Nakamura",
            "Kobayashi",
            "Kato",
            "Yoshida",
            "Yamada",
        ],
    },
    NamePool {
        languages: &["no", "nb", "nn"],
        feminine: &["Ingrid", "Sigrid", "Astrid", "Solveig", "Ingeborg", "Kari"],
        masculine: &["Lars", "Håkon", "Magnus", "Eirik", "Øystein", "Bjørn"],
        neutral: &["Kim", "Mika", "Sascha", "Eli"],
        family: &[
            "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Berg",
            "Haugen", "Bakken", "Solberg", "Dahl",
        ],
    },
];

/// The pool for a language tag such as "tr", "pt-BR" or "nb_NO".
pub(super) fn name_pool(language: &str) -> &'static NamePool {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    NAME_POOLS
        .iter()
        .find(|pool| pool.languages.contains(&primary.as_str()))
        .unwrap_or(&NAME_POOLS[0])
}
