//! Deterministic synthetic text for `helpdesk seed`: a small xorshift generator, a Zipf
//! sampler and a few thousand coined words mixed into help desk phrasing. Coined words are
//! consonant–vowel syllables, so they never spell the tracked real words ("printer", "vpn").

/// xorshift64*: fast, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Ranks 0..n with probability proportional to 1 / (rank + 1)^s.
pub struct Zipf(Vec<f64>);

impl Zipf {
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        Zipf(
            (1..=n.max(1))
                .map(|r| {
                    total += 1.0 / (r as f64).powf(s);
                    total
                })
                .collect(),
        )
    }
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit() * self.0[self.0.len() - 1];
        self.0.partition_point(|&c| c < u).min(self.0.len() - 1)
    }
}

const ONSETS: [&str; 16] = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "h", "j"];
const VOWELS: [&str; 7] = ["a", "e", "i", "o", "u", "ai", "ou"];
const CODAS: [&str; 8] = ["", "", "", "n", "l", "s", "m", "x"];

/// `n` distinct coined words of two to four syllables.
pub fn coined_words(n: usize) -> Vec<String> {
    let mut rng = Rng::new(7);
    let mut seen = std::collections::HashSet::new();
    let mut words = Vec::with_capacity(n);
    while words.len() < n {
        let syllables = 2 + rng.below(3);
        let word: String =
            (0..syllables).map(|_| format!("{}{}{}", rng.pick(&ONSETS), rng.pick(&VOWELS), rng.pick(&CODAS))).collect();
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

const SUBJECTS: [&str; 24] = [
    "Laptop",
    "VPN",
    "Email",
    "Outlook",
    "Monitor",
    "Keyboard",
    "Wi-Fi",
    "Password",
    "Account",
    "Invoice",
    "Payroll",
    "CRM",
    "Badge",
    "Desk phone",
    "Docking station",
    "Shared drive",
    "Calendar",
    "Browser",
    "Database",
    "Backup",
    "Scanner",
    "Projector",
    "Headset",
    "Mobile app",
];
const SYMPTOMS: [&str; 16] = [
    "not working",
    "keeps crashing",
    "is very slow",
    "cannot connect",
    "shows an error",
    "stopped syncing",
    "asks for the password again and again",
    "access denied",
    "freezes on start",
    "is missing",
    "gives wrong totals",
    "does not turn on",
    "disconnects every few minutes",
    "cannot be opened",
    "times out",
    "needs to be replaced",
];
const WHEN: [&str; 8] = [
    "this morning",
    "yesterday",
    "the last update",
    "Monday",
    "the office move",
    "the weekend",
    "the password change",
    "last week",
];
const DEPARTMENTS: [&str; 10] =
    ["Finance", "Sales", "Marketing", "Operations", "Legal", "Support", "Engineering", "HR", "Logistics", "Research"];
const SENTENCES: [&str; 12] = [
    "It happens every time I open {W} from the {d} workspace.",
    "The error message says \"{W} {w} failed with code {n}\".",
    "This blocks {n} people in {d}, including the {w} {w} review.",
    "I already restarted, signed out and in again, and checked the {w} settings.",
    "Colleagues on floor {n} see the same thing with {W}.",
    "Could someone look at it before the {W} deadline?",
    "Asset tag {T}-{n}{n}.",
    "Last week it worked after {w} was reinstalled, but now it is back.",
    "Reference: project {W}, cost centre {n}{n}.",
    "It only fails when the {w} {w} file is larger than {n} MB.",
    "Our manager {p} asked me to report it here.",
    "Screenshots of the {w} screen are available on request.",
];
const REPLIES: [&str; 8] = [
    "Thanks for the report, I am looking into the {w} configuration now.",
    "Could you send a screenshot of the error and the exact time it happened?",
    "I have reset the {w} profile; please sign out and in again and tell me if it helps.",
    "We see the same issue with {W} for other people in {d}, a fix is being prepared.",
    "Please try again from another network and let me know the result.",
    "I scheduled a visit to floor {n} tomorrow morning.",
    "The vendor confirmed a known problem with {W}; I will keep you posted.",
    "Can you confirm which version of {W} is installed?",
];
const USER_REPLIES: [&str; 5] = [
    "Still happening, see the attached {w} log.",
    "It worked for a while but the problem came back after lunch.",
    "Thanks, I will try that and report back.",
    "The screenshot is attached; the code was {n}.",
    "Any news? The {W} deadline is close.",
];
const NOTES: [&str; 6] = [
    "Probably the {w} policy pushed last week; checking with the {d} admins.",
    "Escalated to the {W} vendor, case number {n}{n}.",
    "Same root cause as the {W} incident; link them in the post-mortem.",
    "User has admin rights on the {w} share, remove after the fix.",
    "Waiting for a replacement part, ETA {n} days.",
    "Do not reimage yet: {p} needs the local {w} files first.",
];
const RESOLUTIONS: [&str; 7] = [
    "Reinstalled the {w} driver; working again.",
    "Reset the account and cleared the cached {W} credentials.",
    "Replaced the faulty unit and updated the asset register.",
    "Configuration of {W} corrected; confirmed with the requester.",
    "Vendor patch {n}.{n} applied to all {d} machines.",
    "Duplicate of an earlier ticket, fixed with the same {w} change.",
    "Explained the new {W} procedure; no fault found.",
];
const PRINTER: [&str; 3] = [
    "The printer on floor {n} also jams whenever I print from {W}.",
    "I cannot print either: the printer shows {w} error {n}.",
    "The shared printer near {d} keeps dropping my jobs.",
];
pub const FIRST_NAMES: [&str; 20] = [
    "Alice", "Bruno", "Chloe", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Karin", "Liam", "Maya",
    "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara",
];
pub const LAST_NAMES: [&str; 20] = [
    "Martin", "Novak", "Okafor", "Silva", "Kowalski", "Tanaka", "Meyer", "Haddad", "Larsen", "Rossi", "Dubois",
    "Ivanova", "Garcia", "Nguyen", "Fischer", "Moreau", "Costa", "Berg", "Khan", "Walsh",
];

/// Display name number `i`: 400 combinations, then they repeat.
pub fn person_name(i: usize) -> String {
    format!("{} {}", FIRST_NAMES[i % 20], LAST_NAMES[(i * 7 + i / 20) % 20])
}

pub fn department(i: usize) -> &'static str {
    DEPARTMENTS[i % DEPARTMENTS.len()]
}

/// Writes ticket text from templates, filling `{w}` (coined word), `{W}` (capitalised),
/// `{T}` (upper case), `{n}` (number), `{d}` (department) and `{p}` (person).
pub struct Writer {
    words: Vec<String>,
    zipf: Zipf,
}

impl Writer {
    pub fn new(vocabulary: usize) -> Writer {
        Writer { words: coined_words(vocabulary), zipf: Zipf::new(vocabulary, 1.0) }
    }

    /// The coined word of Zipf rank `rank`: rarer the higher the rank.
    pub fn word(&self, rank: usize) -> &str {
        &self.words[rank.min(self.words.len() - 1)]
    }

    fn fill(&self, rng: &mut Rng, template: &str, out: &mut String) {
        let mut rest = template;
        while let Some(at) = rest.find('{') {
            out.push_str(&rest[..at]);
            match &rest[at + 1..at + 2] {
                "w" => out.push_str(self.word(self.zipf.sample(rng))),
                "W" | "T" => {
                    let upper = &rest[at + 1..at + 2] == "T";
                    for (i, c) in self.word(self.zipf.sample(rng)).chars().enumerate() {
                        out.push(if upper || i == 0 { c.to_ascii_uppercase() } else { c });
                    }
                }
                "n" => out.push_str(&(1 + rng.below(99)).to_string()),
                "d" => out.push_str(rng_pick(rng, &DEPARTMENTS)),
                _ => out.push_str(&person_name(rng.below(400))),
            }
            rest = &rest[at + 3..];
        }
        out.push_str(rest);
    }

    fn one(&self, rng: &mut Rng, templates: &[&str]) -> String {
        let mut out = String::with_capacity(96);
        let template = rng_pick(rng, templates);
        self.fill(rng, template, &mut out);
        out
    }

    /// A title and a description; with `printer` the ticket is about (or mentions) a printer.
    pub fn ticket(&self, rng: &mut Rng, printer: bool) -> (String, String) {
        let about_printer = printer && rng.chance(0.6);
        let subject = if about_printer { "Printer" } else { rng_pick(rng, &SUBJECTS) };
        let symptom = rng_pick(rng, &SYMPTOMS);
        let mut title = format!("{subject} {symptom}");
        if rng.chance(0.6) {
            title.push_str(match rng.below(3) {
                0 => " after the update",
                1 => " in meeting room ",
                _ => " for the team of ",
            });
            if !title.ends_with("update") {
                self.fill(rng, "{W}", &mut title);
            }
        }
        let mut text = format!("Since {}, the {} {}.", rng_pick(rng, &WHEN), subject.to_lowercase(), symptom);
        for _ in 0..1 + rng.below(3) {
            text.push(' ');
            let sentence = rng_pick(rng, &SENTENCES);
            self.fill(rng, sentence, &mut text);
        }
        if printer && !about_printer {
            text.push(' ');
            let sentence = rng_pick(rng, &PRINTER);
            self.fill(rng, sentence, &mut text);
        }
        (title, text)
    }

    pub fn reply(&self, rng: &mut Rng) -> String {
        self.one(rng, &REPLIES)
    }
    pub fn user_reply(&self, rng: &mut Rng) -> String {
        self.one(rng, &USER_REPLIES)
    }
    pub fn note(&self, rng: &mut Rng) -> String {
        self.one(rng, &NOTES)
    }
    pub fn resolution(&self, rng: &mut Rng) -> String {
        self.one(rng, &RESOLUTIONS)
    }
}

fn rng_pick<'a>(rng: &mut Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.below(xs.len())]
}
