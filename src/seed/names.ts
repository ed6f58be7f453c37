/**
 * Name pools per country for realistic customers. Each entry is a display form and an ASCII form
 * (for e-mail local parts), precomputed once so the generator does no Unicode work per row.
 * India and Japan carry a native-script form too, used for customers whose locale is hi / ja, so
 * templates and PDF fonts meet Devanagari and kanji.
 */
export interface NameEntry {
  display: string;
  native: string; // native script (same as display where the country uses Latin script)
  ascii: string; // lower-case a-z0-9 and '-', for e-mail addresses
}

export interface NamePool {
  given: readonly NameEntry[];
  family: readonly NameEntry[];
  familyFirstNative: boolean; // Japanese order in native script: family name first
}

export function asciiSlug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function entries(list: string): NameEntry[] {
  return list.split('|').map((item) => {
    const [display, native] = item.split(':') as [string, string | undefined];
    return { display, native: native ?? display, ascii: asciiSlug(display) };
  });
}

function pool(given: string, family: string, familyFirstNative = false): NamePool {
  return { given: entries(given), family: entries(family), familyFirstNative };
}

const ENGLISH_GIVEN =
  'James|Mary|Olivia|Liam|Emma|Noah|Ava|William|Sophia|Benjamin|Charlotte|Lucas|Amelia|Henry|Harper|Jack|Grace|Thomas|Emily|Daniel|Chloe|Samuel|Isla|Oscar|Ruby';

export const NAME_POOLS: Readonly<Record<string, NamePool>> = {
  US: pool(
    ENGLISH_GIVEN + '|Mateo|Camila|Diego|Valentina|Jamal|Aaliyah|Wei|Mei|Priya|Omar',
    'Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|Martinez|Wilson|Anderson|Taylor|Thomas|Moore|Jackson|Lee|Nguyen|Patel|Kim|Walker|Young|King|Wright|Hill',
  ),
  GB: pool(
    ENGLISH_GIVEN + '|George|Alfie|Freya|Poppy|Arthur|Isabella|Harry|Florence',
    'Smith|Jones|Williams|Taylor|Brown|Davies|Evans|Wilson|Thomas|Johnson|Roberts|Robinson|Thompson|Wright|Walker|White|Edwards|Hughes|Green|Hall|Lewis|Harris|Clarke|Patel|Khan',
  ),
  IE: pool(
    'Jack|Conor|Seán|Oisín|Cian|Darragh|Aoife|Siobhán|Niamh|Saoirse|Ciara|Róisín|Emma|Grace|Fiadh|Liam',
    'Murphy|Kelly|O’Sullivan|Walsh|Smith|O’Brien|Byrne|Ryan|O’Connor|O’Neill|Reilly|Doyle|McCarthy|Gallagher|Doherty|Kennedy',
  ),
  IN: pool(
    'Aarav:आरव|Vivaan:विवान|Aditya:आदित्य|Arjun:अर्जुन|Rohan:रोहन|Ishaan:ईशान|Rahul:राहुल|Vikram:विक्रम|Sanjay:संजय|Karthik:कार्तिक|Amit:अमित|Suresh:सुरेश|Priya:प्रिया|Ananya:अनन्या|Diya:दिया|Kavya:काव्या|Sneha:स्नेहा|Pooja:पूजा|Neha:नेहा|Lakshmi:लक्ष्मी|Meera:मीरा|Anjali:अंजलि|Deepika:दीपिका|Sunita:सुनीता',
    'Sharma:शर्मा|Patel:पटेल|Iyer:अय्यर|Reddy:रेड्डी|Singh:सिंह|Gupta:गुप्ता|Nair:नायर|Das:दास|Mehta:मेहता|Kulkarni:कुलकर्णी|Joshi:जोशी|Rao:राव|Banerjee:बनर्जी|Chatterjee:चटर्जी|Menon:मेनन|Pillai:पिल्लई|Desai:देसाई|Shah:शाह|Verma:वर्मा|Kapoor:कपूर|Yadav:यादव|Agarwal:अग्रवाल',
  ),
  DE: pool(
    'Lukas|Leon|Finn|Jonas|Felix|Paul|Maximilian|Elias|Noah|Emma|Mia|Hannah|Sophie|Lena|Marie|Anna|Laura|Lea|Johanna|Jürgen|Jörg|Käthe',
    'Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Koch|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|Hartmann',
  ),
  FR: pool(
    'Louis|Gabriel|Jules|Hugo|Arthur|Raphaël|Lucas|Théo|Léo|Nathan|Léa|Chloé|Manon|Camille|Inès|Zoé|Élodie|Juliette|Louise|Margaux|Amélie|Océane',
    'Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent|Lefèvre|Michel|Garcia|David|Bertrand|Roux|Vincent|Fournier|Girard|Lemaître',
  ),
  ES: pool(
    'Hugo|Martín|Mateo|Daniel|Alejandro|Pablo|Javier|Diego|Álvaro|Lucía|Sofía|Paula|María|Carmen|Elena|Laura|Marta|Irene|Nuria|Begoña',
    'García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez|Gómez|Martín|Jiménez|Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Navarro|Torres',
  ),
  IT: pool(
    'Leonardo|Francesco|Alessandro|Lorenzo|Mattia|Andrea|Tommaso|Riccardo|Sofia|Giulia|Aurora|Ginevra|Chiara|Beatrice|Alice|Martina|Niccolò|Caterina',
    'Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|Marino|Greco|Bruno|Gallo|Conti|De Luca|Mancini|Costa|Giordano|Rizzo',
  ),
  NL: pool(
    'Daan|Sem|Lucas|Milan|Levi|Finn|Bram|Thijs|Emma|Julia|Tess|Sophie|Noor|Anna|Sanne|Femke|Lotte|Maud',
    'de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos|Peters|Hendriks|van Leeuwen',
  ),
  JP: pool(
    'Haruto:陽翔|Sota:蒼太|Yuto:悠斗|Riku:陸|Ren:蓮|Minato:湊|Takumi:拓海|Kenji:健二|Hiroshi:浩|Yui:結衣|Hina:陽菜|Aoi:葵|Sakura:さくら|Mei:芽依|Yuna:結菜|Akari:朱里|Misaki:美咲|Keiko:恵子',
    'Sato:佐藤|Suzuki:鈴木|Takahashi:高橋|Tanaka:田中|Watanabe:渡辺|Ito:伊藤|Yamamoto:山本|Nakamura:中村|Kobayashi:小林|Kato:加藤|Yoshida:吉田|Yamada:山田|Sasaki:佐々木|Yamaguchi:山口|Matsumoto:松本|Inoue:井上',
    true,
  ),
  KW: pool(
    'Ahmed|Mohammed|Abdullah|Yousef|Khalid|Fahad|Hamad|Ali|Fatima|Noura|Mariam|Sara|Dana|Latifa|Hessa|Aisha',
    'Al-Mutairi|Al-Azmi|Al-Enezi|Al-Rashidi|Al-Ajmi|Al-Shammari|Al-Hajri|Al-Otaibi|Al-Kandari|Al-Failakawi|Al-Awadhi|Behbehani',
  ),
  HK: pool(
    'Wing|Ka Ming|Chi Keung|Man Yee|Siu Ling|Hoi Yan|Ethan|Chloe|Jason|Karen|Kelvin|Winnie',
    'Chan|Wong|Lee|Cheung|Lau|Leung|Ho|Ng|Lam|Tsang|Chow|Yip',
  ),
  QA: pool(
    'Hamad|Tamim|Jassim|Khalifa|Saad|Mohammed|Moza|Al Anoud|Maryam|Noor|Reem|Shaikha',
    'Al-Thani|Al-Kuwari|Al-Marri|Al-Sulaiti|Al-Mannai|Al-Naimi|Al-Emadi|Al-Kaabi|Al-Mohannadi|Al-Hajri',
  ),
};

/** Words for SaaS company names ("Müller Analytics GmbH"). */
export const COMPANY_WORDS: readonly string[] = [
  'Analytics', 'Labs', 'Logistics', 'Robotics', 'Health', 'Foods', 'Studios', 'Systems', 'Payments', 'Mobility',
  'Energy', 'Learning', 'Security', 'Cloud', 'Commerce', 'Media', 'Travel', 'Fintech', 'Bio', 'Networks',
];

export const COMPANY_WORD_SLUGS: readonly string[] = COMPANY_WORDS.map(asciiSlug);
