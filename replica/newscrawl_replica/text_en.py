"""English ministry-news text built from word lists and sentence templates (ICT and Science ministries).

All names are invented. Every function draws only from the ``random.Random`` it is given, so the same
generator state always yields the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from newscrawl_replica.textgen import Slots, between, pick


@dataclass(frozen=True, slots=True)
class EnVocab:
    """The word lists of one ministry."""

    ministry: str  # "ICT Ministry"
    attributions: tuple[str, ...]
    people: tuple[tuple[str, str], ...]  # (full name with title, short reference)
    roles: tuple[str, ...]
    topics: tuple[str, ...]
    fields: tuple[str, ...]  # short, title-cased topic words for titles
    places: tuple[str, ...]
    events: tuple[str, ...]
    orgs: tuple[str, ...]
    title_templates: tuple[str, ...]
    lead_templates: tuple[str, ...]
    sentence_templates: tuple[str, ...]
    quotes: tuple[str, ...]
    tags: tuple[str, ...]
    captions: tuple[str, ...]


COUNTRIES = (
    "Azerbaijan",
    "Armenia",
    "Turkey",
    "China",
    "Russia",
    "Oman",
    "Iraq",
    "Pakistan",
    "India",
    "Kazakhstan",
    "Turkmenistan",
    "Belarus",
    "Qatar",
    "Venezuela",
    "Indonesia",
    "Malaysia",
    "South Korea",
    "Japan",
    "Germany",
    "Italy",
    "Austria",
    "Serbia",
    "Uzbekistan",
    "Tajikistan",
    "Georgia",
    "Cuba",
    "Kenya",
    "South Africa",
    "Brazil",
    "Bolivia",
    "Tunisia",
    "Vietnam",
)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

ICT = EnVocab(
    ministry="ICT Ministry",
    attributions=(
        "According to ICT Ministry's Public Relations,",
        "PR of the Ministry of ICT –",
        "As Public Relations of ICT ministry reported,",
        "According to the Public Relations Department of the Ministry of ICT,",
    ),
    people=(
        (
            "Dr. Hamid Sadeghi, the Minister of Communication and Information Technology",
            "Dr. Sadeghi",
        ),
        ("Eng. Reza Farahani, Minister of ICT", "Eng. Farahani"),
        ("Mehdi Kazemi, Deputy ICT Minister for International Affairs", "Kazemi"),
        ("Nasser Bahrami, Head of Information Technology Organization of Iran", "Bahrami"),
        ("Ali Mohammadi, CEO of Telecommunication Infrastructure Company", "Mohammadi"),
        ("Dr. Leila Ahmadi, Head of Iran Space Agency", "Dr. Ahmadi"),
        ("Saeed Rostami, Head of the Communications Regulatory Authority", "Rostami"),
        ("Maryam Hosseini, Deputy ICT Minister for Planning", "Hosseini"),
    ),
    roles=(
        "The ICT Minister",
        "The Deputy Minister",
        "The head of the delegation",
        "The official",
        "The Iranian minister",
        "He",
        "She",
    ),
    topics=(
        "digital economy",
        "broadband development",
        "e-government services",
        "cyber security",
        "the National Information Network",
        "fiber optic networks",
        "satellite communications",
        "postal services",
        "data transit",
        "5G technology",
        "IT exports",
        "the start-up ecosystem",
        "smart cities",
        "cloud computing",
        "rural telecommunications",
        "e-commerce",
        "artificial intelligence",
        "the Internet of Things",
        "space technology",
        "digital literacy",
    ),
    fields=(
        "ICT",
        "IT",
        "Telecom",
        "Postal",
        "Satellite",
        "Cyber Security",
        "Digital Economy",
        "Broadband",
        "Space",
        "E-Government",
    ),
    places=(
        "Tehran",
        "Isfahan",
        "Fars",
        "Khorasan Razavi",
        "East Azarbaijan",
        "Gilan",
        "Mazandaran",
        "Khuzestan",
        "Kerman",
        "Yazd",
        "Golestan",
        "Ilam",
        "Sistan and Baluchestan",
        "Hormozgan",
        "Kurdistan",
        "Lorestan",
        "Qazvin",
        "Zanjan",
        "Semnan",
        "Bushehr",
        "Ardabil",
        "Hamedan",
    ),
    events=(
        "ITU Plenipotentiary Conference",
        "Telecom Exhibition",
        "ICT Week",
        "World Summit on the Information Society",
        "RCC Board meeting",
        "ECO ministerial meeting",
        "Asia-Pacific Telecommunity forum",
        "Bakutel exhibition",
        "Mobile World Congress",
        "Universal Postal Union Congress",
        "GITEX Technology Week",
    ),
    orgs=(
        "Information Technology Organization",
        "Telecommunication Infrastructure Company",
        "Iran Space Agency",
        "Iran Post Company",
        "Communications Regulatory Authority",
        "ICT Research Institute",
        "Telecommunication Company of Iran",
    ),
    title_templates=(
        "Iran, {country} to Extend {field} Collaboration",
        "Iran, {country} aim for {field} Cooperation",
        "ICT Minister Meets {country}'s Ambassador",
        "{n} Villages Connected to National Information Network in {place}",
        "Iran and {country} Sign MoU on {Topic}",
        "{short} Calls for Expansion of {Topic}",
        "ICT Minister Visits {place} to Inaugurate {n} Projects",
        "Iran Attends {event}",
        "{country} Delegation Meets Iranian ICT Officials",
        "New Plan to Boost {Topic} Unveiled",
        "Iran's {field} Sector Grows {n} Percent",
        "Minister: {Topic} Is Key to Economic Growth",
        "{org} Launches New Services in {place}",
        "Iran Ready to Share {field} Experience with {country}",
    ),
    lead_templates=(
        "{person} said Iran is ready to expand cooperation with {country} in {topic}.",
        "Iran and {country} discussed ways to broaden ties in {topic} and {topic2}.",
        "{n} projects in {topic} were inaugurated in {place} province.",
        "{person} stressed the importance of {topic} for the country's development.",
        "The {org} announced a new plan to accelerate {topic} across the country.",
        "Iran's delegation attended the {event} to present its achievements in {topic}.",
    ),
    sentence_templates=(
        "{attr} {person} made the remarks in a meeting with {country}'s ambassador to Tehran.",
        "{role} referred to the various areas for cooperation in {topic}, adding that: “{quote}”",
        "{role} stated that: “{quote}”",
        "The meeting was held on the sidelines of the {event}.",
        (
            "He noted that {n} projects worth {m} billion rials have been put into operation in {place} "
            "province."
        ),
        "According to the latest statistics, broadband penetration in {place} has reached {n} percent.",
        "Both sides stressed the need to expand cooperation in {topic} and {topic2}.",
        "{role} said that the private sector plays a key role in {topic}.",
        (
            "He also pointed to the development of {topic}, saying that the ministry will support "
            "knowledge-based companies active in this field."
        ),
        "It is worth mentioning that the joint commission of the two countries will be held in {month}.",
        "{short} went on to say: “{quote}”",
        "The {org} has been tasked with following up the agreements reached in {topic}.",
        (
            "Underscoring the role of {topic} in the economy, {short} said that {n} percent of the "
            "targets of the plan have been achieved so far."
        ),
        "{country}'s ambassador, for his part, welcomed the proposals and said: “{quote}”",
        "Representatives of {n} companies from Iran and {country} attended the event.",
    ),
    quotes=(
        "We are enjoying good cooperation in all sectors, especially in {topic}.",
        "We are ready to share our experience in {topic} with {country}.",
        "{Topic} is one of the priorities of the government in the current year.",
        "Instead of competing, we should focus on extending our cooperation.",
        "There is a strong will to strengthen relations in both parties.",
        "The private sector should take the lead in {topic}, and the government will support it.",
        "Our target is to cover all villages with high-speed internet by the end of the plan.",
        "Nowadays, the latest talking point around the globe is {topic}.",
        "Iranian start-ups are ready to enter the markets of the region.",
    ),
    tags=(
        "ICT",
        "Digital Economy",
        "Broadband",
        "Cyber Security",
        "NIN",
        "Space",
        "Post",
        "International",
        "Start-ups",
        "E-Government",
        "Fiber Optic",
        "5G",
        "Villages",
        "Minister",
        "Cooperation",
    ),
    captions=(
        "The ICT Minister during the meeting",
        "Officials at the signing ceremony",
        "A view of the opening ceremony",
        "The delegations during the talks",
        "Photo: ICT Ministry Public Relations",
    ),
)

MSRT = EnVocab(
    ministry="Ministry of Science",
    attributions=(
        "According to the Public Relations of the Ministry of Science, Research and Technology,",
        "As reported by the MSRT News Agency,",
        "According to the Center for International Scientific Cooperation,",
    ),
    people=(
        ("Dr. Kamran Nikzad, Minister of Science, Research and Technology", "Dr. Nikzad"),
        ("Dr. Parvin Sharifi, Deputy Minister for International Affairs", "Dr. Sharifi"),
        (
            "Dr. Hadi Navabi, Head of the Center for International Scientific Cooperation",
            "Dr. Navabi",
        ),
        ("Dr. Sima Tavakoli, Deputy Minister for Research and Technology", "Dr. Tavakoli"),
        ("Dr. Omid Alavi, Head of the Student Affairs Organization", "Dr. Alavi"),
    ),
    roles=("The Minister", "The Deputy Minister", "The university chancellor", "He", "She"),
    topics=(
        "international students",
        "scientific diplomacy",
        "research collaboration",
        "nanotechnology",
        "the knowledge-based economy",
        "higher education",
        "scholarships",
        "joint degree programs",
        "science and technology parks",
        "technology transfer",
        "academic mobility",
        "stem cell research",
        "renewable energy research",
        "medical physics",
    ),
    fields=("Academic", "Scientific", "Research", "Technology", "University", "Student"),
    places=(
        "University of Tehran",
        "Sharif University of Technology",
        "Amirkabir University of Technology",
        "Isfahan University of Technology",
        "Shiraz University",
        "Ferdowsi University of Mashhad",
        "University of Tabriz",
        "Iran University of Science and Technology",
        "Allameh Tabataba'i University",
        "Kharazmi University",
    ),
    events=(
        "International Exhibition of Research and Technology",
        "Science Week",
        "Conference of Asian Universities Presidents",
        "UNESCO General Conference",
        "ECO Science Foundation meeting",
        "Iran Higher Education Fair",
    ),
    orgs=(
        "Iranian Research Organization for Science and Technology",
        "Student Affairs Organization",
        "Iran National Science Foundation",
        "Institute for Research and Planning in Higher Education",
    ),
    title_templates=(
        "Iran, {country} Boost {field} Cooperation",
        "{place} Hosts {n} International Students",
        "Minister of Science Meets {country}'s Ambassador",
        "Congratulations to Iranian Olympiad Winners!",
        "Iranian Universities Rise in World Rankings.",
        "Why Study at {place}?",
        "{n} Knowledge-Based Companies Join Science Parks",
        "Iran, {country} Sign Agreement on {Topic}",
        "Call for Applications: {field} Scholarships {year}",
        "{short}: {Topic} Is a Priority",
        "Iran Attends {event}",
        "Congratulations on Science Week!",
    ),
    lead_templates=(
        "{person} said Iran welcomes students and researchers from {country}.",
        "Iran and {country} agreed to expand {topic} between their universities.",
        "{n} international students have enrolled at {place} this year.",
        "{person} underlined the importance of {topic} for the country's scientific growth.",
    ),
    sentence_templates=(
        "{attr} {person} made the remarks in a meeting with a delegation from {country}.",
        "{role} stated that: “{quote}”",
        "The two sides discussed {topic} and {topic2}.",
        "Currently, {n} students from {country} are studying at Iranian universities.",
        (
            "{short} noted that {place} has signed {n} memoranda of understanding with foreign "
            "universities."
        ),
        "The meeting was held on the sidelines of the {event}.",
        "It was agreed that a joint working group on {topic} would meet in {month}.",
        "{role} said the ministry would allocate {m} scholarships for {topic} next year.",
    ),
    quotes=(
        "Iranian universities are ready to host more international students.",
        "{Topic} is one of our main priorities.",
        "Scientific diplomacy can pave the way for wider cooperation.",
        "We should use the capacities of both countries in {topic}.",
    ),
    tags=(
        "Higher Education",
        "Research",
        "International",
        "Students",
        "Scholarships",
        "Universities",
        "Technology",
        "Science Parks",
    ),
    captions=(
        "The Minister of Science during the meeting",
        "A view of the ceremony",
        "Photo: MSRT Public Relations",
    ),
)


@dataclass(slots=True)
class EnStory:
    """The subject of one generated article, shared by its title, lead and paragraphs."""

    person: str
    short: str
    country: str
    topic: str
    topic2: str
    place: str
    event: str
    org: str
    field: str
    year: int


def story(rng: Random, vocab: EnVocab, year: int) -> EnStory:
    """Pick the subject of one article."""
    person, short = pick(rng, vocab.people)
    topic, topic2 = rng.sample(vocab.topics, 2)
    return EnStory(
        person=person,
        short=short,
        country=pick(rng, COUNTRIES),
        topic=topic,
        topic2=topic2,
        place=pick(rng, vocab.places),
        event=pick(rng, vocab.events),
        org=pick(rng, vocab.orgs),
        field=pick(rng, vocab.fields),
        year=year,
    )


def _slots(rng: Random, vocab: EnVocab, st: EnStory, topic: str = "") -> Slots:
    topic = topic or st.topic
    fixed = {
        "person": st.person + ",",
        "short": st.short,
        "country": st.country,
        "topic": topic,
        "topic2": st.topic2,
        "Topic": topic[0].upper() + topic[1:],
        "place": st.place,
        "event": st.event,
        "org": st.org,
        "field": st.field,
        "year": str(st.year),
    }
    slots: Slots
    dynamic: dict[str, Callable[[], str]] = {
        "attr": lambda: pick(rng, vocab.attributions),
        "role": lambda: pick(rng, vocab.roles),
        "month": lambda: pick(rng, MONTHS),
        "n": lambda: str(between(rng, 3, 95)),
        "m": lambda: str(between(rng, 10, 900)),
        "quote": lambda: pick(rng, vocab.quotes).format_map(slots),
    }
    slots = Slots(fixed, dynamic)
    return slots


def _fill(template: str, rng: Random, vocab: EnVocab, st: EnStory) -> str:
    return template.format_map(_slots(rng, vocab, st))


def _title_case_topic(topic: str) -> str:
    words = topic.removeprefix("the ").split()
    return " ".join(w if w.isupper() or "-" in w[:2] else w[0].upper() + w[1:] for w in words)


def title(rng: Random, vocab: EnVocab, st: EnStory) -> str:
    """A headline about the story."""
    template = pick(rng, vocab.title_templates)
    return template.format_map(_slots(rng, vocab, st, _title_case_topic(st.topic)))


def lead(rng: Random, vocab: EnVocab, st: EnStory) -> str:
    """A one-sentence summary."""
    return _fill(pick(rng, vocab.lead_templates), rng, vocab, st)


def paragraphs(rng: Random, vocab: EnVocab, st: EnStory, count: int) -> list[str]:
    """``count`` body paragraphs; the first opens with an attribution."""
    out: list[str] = []
    templates = vocab.sentence_templates
    slots = _slots(rng, vocab, st)
    for i in range(count):
        chosen = list(dict.fromkeys(pick(rng, templates) for _ in range(between(rng, 1, 2))))
        if i == 0:
            chosen = [templates[0], *(t for t in chosen[1:] if t != templates[0])]
        out.append(" ".join(t.format_map(slots) for t in chosen))
    return out


def caption(rng: Random, vocab: EnVocab) -> str:
    """A photo caption."""
    return pick(rng, vocab.captions)


def tags(rng: Random, vocab: EnVocab, st: EnStory) -> list[str]:
    """2-5 tags, the country among them."""
    picked = rng.sample(vocab.tags, between(rng, 1, 4))
    return [*picked, st.country]
