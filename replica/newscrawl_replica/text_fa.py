"""Persian (ICT ministry, Iran) and Dari (Ministry of Information and Culture, Afghanistan) news text.

Sentences are built from word lists and templates; all names and figures are invented. Words that take a
ZERO WIDTH NON-JOINER in standard Persian spelling keep it (می‌شود، سه‌شنبه، تفاهم‌نامه). Digits are
Persian (۰-۹). Every function draws only from the ``random.Random`` it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from newscrawl_replica.datefmt import fa_digits
from newscrawl_replica.textgen import Slots, between, pick


@dataclass(frozen=True, slots=True)
class FaVocab:
    """The word lists of one Persian-language ministry site."""

    attributions: tuple[str, ...]
    people: tuple[str, ...]
    places: tuple[str, ...]  # provinces
    place_word: str  # "استان" (Iran) or "ولایت" (Afghanistan)
    countries: tuple[str, ...]
    topics: tuple[str, ...]
    events: tuple[str, ...]
    title_templates: tuple[str, ...]
    lead_templates: tuple[str, ...]
    sentence_templates: tuple[str, ...]
    quotes: tuple[str, ...]
    tags: tuple[str, ...]
    captions: tuple[str, ...]


ICT_FA = FaVocab(
    attributions=(
        "به گزارش روابط عمومی وزارت ارتباطات و فناوری اطلاعات،",
        "به گزارش پایگاه خبری وزارت ارتباطات،",
        "به نقل از روابط عمومی وزارت ارتباطات و فناوری اطلاعات،",
    ),
    people=(
        "وزیر ارتباطات و فناوری اطلاعات",
        "معاون وزیر ارتباطات در امور بین‌الملل",
        "رئیس سازمان فناوری اطلاعات ایران",
        "مدیرعامل شرکت ارتباطات زیرساخت",
        "رئیس سازمان فضایی ایران",
        "رئیس سازمان تنظیم مقررات و ارتباطات رادیویی",
        "معاون برنامه‌ریزی وزارت ارتباطات",
    ),
    places=(
        "تهران",
        "اصفهان",
        "فارس",
        "خراسان رضوی",
        "آذربایجان شرقی",
        "گیلان",
        "مازندران",
        "خوزستان",
        "کرمان",
        "یزد",
        "گلستان",
        "ایلام",
        "سیستان و بلوچستان",
        "هرمزگان",
        "کردستان",
        "لرستان",
        "قزوین",
        "زنجان",
        "سمنان",
        "بوشهر",
        "اردبیل",
        "همدان",
    ),
    place_word="استان",
    countries=(
        "آذربایجان",
        "ارمنستان",
        "ترکیه",
        "چین",
        "روسیه",
        "عمان",
        "عراق",
        "پاکستان",
        "هند",
        "قزاقستان",
        "ترکمنستان",
        "بلاروس",
        "قطر",
        "ونزوئلا",
        "اندونزی",
        "مالزی",
        "کره جنوبی",
        "ژاپن",
        "آلمان",
        "ایتالیا",
        "اتریش",
        "صربستان",
        "ازبکستان",
        "تاجیکستان",
        "گرجستان",
    ),
    topics=(
        "اقتصاد دیجیتال",
        "شبکه ملی اطلاعات",
        "دولت الکترونیک",
        "امنیت فضای مجازی",
        "فیبر نوری",
        "پهنای باند",
        "ارتباطات ماهواره‌ای",
        "خدمات پستی",
        "ترانزیت داده",
        "فناوری نسل پنجم",
        "صادرات فناوری اطلاعات",
        "زیست‌بوم استارتاپی",
        "شهر هوشمند",
        "رایانش ابری",
        "ارتباطات روستایی",
        "تجارت الکترونیک",
        "هوش مصنوعی",
        "اینترنت اشیا",
        "فناوری فضایی",
    ),
    events=(
        "نمایشگاه تلکام",
        "هفته ملی ارتباطات",
        "اجلاس جهانی جامعه اطلاعاتی",
        "نشست وزرای ارتباطات کشورهای اکو",
        "کنفرانس اتحادیه بین‌المللی مخابرات",
        "کنگره اتحادیه جهانی پست",
        "نمایشگاه جیتکس",
    ),
    title_templates=(
        "ایران و {country} همکاری‌های {topic} را گسترش می‌دهند",
        "دیدار {person} با سفیر {country}",
        "{n} روستای {place_word} {place} به شبکه ملی اطلاعات متصل شد",
        "امضای تفاهم‌نامه همکاری ایران و {country} در حوزه {topic}",
        "{person} بر توسعه {topic} تأکید کرد",
        "افتتاح {n} طرح ارتباطی در {place_word} {place}",
        "حضور ایران در {event}",
        "رشد {n} درصدی {topic} در کشور",
        "برنامه جدید وزارت ارتباطات برای {topic} رونمایی شد",
    ),
    lead_templates=(
        "{person} از آمادگی ایران برای گسترش همکاری با {country} در حوزه {topic} خبر داد.",
        "ایران و {country} راه‌های توسعه همکاری در زمینه {topic} و {topic2} را بررسی کردند.",
        "{n} طرح {topic} در {place_word} {place} به بهره‌برداری رسید.",
        "{person} بر اهمیت {topic} در توسعه کشور تأکید کرد.",
    ),
    sentence_templates=(
        "{attr} {person} در این دیدار با اشاره به ظرفیت‌های موجود در حوزه {topic} گفت: «{quote}»",
        "وی افزود: «{quote}»",
        "بر اساس این گزارش، ضریب نفوذ پهنای باند در {place_word} {place} به {n} درصد رسیده است.",
        "گفتنی است نشست کمیسیون مشترک دو کشور در روزهای آینده برگزار می‌شود.",
        "{person} همچنین از برنامه‌ریزی برای توسعه {topic2} در سال آینده خبر داد.",
        "این نشست روز سه‌شنبه در محل وزارت ارتباطات برگزار شد.",
        "در این مراسم {n} طرح به ارزش {m} میلیارد ریال افتتاح شد.",
        "طرفین بر لزوم گسترش همکاری‌ها در زمینه {topic} و {topic2} تأکید کردند.",
        "سفیر {country} نیز در این دیدار گفت: «{quote}»",
        "نمایندگان {n} شرکت دانش‌بنیان از ایران و {country} در این نشست حضور داشتند.",
    ),
    quotes=(
        "ما آماده‌ایم تجربیات خود را در حوزه {topic} در اختیار {country} قرار دهیم.",
        "توسعه {topic} از اولویت‌های اصلی دولت در سال جاری است.",
        "بخش خصوصی باید پیشران {topic} باشد و دولت از آن حمایت می‌کند.",
        "همکاری دو کشور در همه بخش‌ها به‌ویژه {topic} در سطح خوبی قرار دارد.",
        "هدف ما پوشش همه روستاهای کشور با اینترنت پرسرعت تا پایان برنامه است.",
    ),
    tags=(
        "اقتصاد دیجیتال",
        "شبکه ملی اطلاعات",
        "وزیر ارتباطات",
        "پست",
        "فضای مجازی",
        "همکاری بین‌المللی",
        "روستا",
        "استارتاپ",
        "فیبر نوری",
        "دولت الکترونیک",
    ),
    captions=(
        "وزیر ارتباطات در این دیدار",
        "نمایی از مراسم افتتاح",
        "امضای تفاهم‌نامه",
        "عکس: روابط عمومی وزارت ارتباطات",
    ),
)

MOIC_DR = FaVocab(
    attributions=(
        "به گزارش وزارت اطلاعات و فرهنگ،",
        "به نقل از ریاست نشرات وزارت اطلاعات و فرهنگ،",
        "به گزارش آژانس باختر،",
    ),
    people=(
        "معین نشرات وزارت اطلاعات و فرهنگ",
        "معین فرهنگی وزارت اطلاعات و فرهنگ",
        "رئیس عمومی آرشیف ملی",
        "رئیس انستیتوت باستان‌شناسی",
        "رئیس کتابخانه‌های عامه",
        "رئیس اداره گردشگری",
    ),
    places=(
        "کابل",
        "هرات",
        "بلخ",
        "بامیان",
        "ننگرهار",
        "قندهار",
        "غزنی",
        "بدخشان",
        "پروان",
        "کندز",
        "فاریاب",
        "لوگر",
        "تخار",
        "بغلان",
        "کاپیسا",
    ),
    place_word="ولایت",
    countries=("ازبکستان", "تاجیکستان", "ترکمنستان", "قزاقستان", "چین", "ترکیه", "پاکستان", "قطر"),
    topics=(
        "میراث فرهنگی",
        "آثار تاریخی",
        "رسانه‌ها",
        "کتابخانه‌های عامه",
        "صنایع دستی",
        "گردشگری",
        "خوشنویسی",
        "مینیاتور",
        "نشرات",
        "آرشیف ملی",
        "موزیم‌ها",
        "فرش دستباف",
    ),
    events=("نمایشگاه صنایع دستی", "جشنواره فرهنگی", "نمایشگاه کتاب", "هفته میراث فرهنگی"),
    title_templates=(
        "برگزاری {event} در {place_word} {place}",
        "ترمیم {n} اثر تاریخی در {place_word} {place} آغاز شد",
        "نشست {person} با مسئولان رسانه‌های {place_word} {place}",
        "{n} عنوان کتاب از سوی وزارت اطلاعات و فرهنگ چاپ شد",
        "گسترش فعالیت {topic} در {place_word} {place}",
        "دیدار {person} با هیئت فرهنگی {country}",
        "{person}: حفاظت از {topic} وظیفه همگانی است",
    ),
    lead_templates=(
        "{person} از برنامه‌های تازه برای حفاظت از {topic} در {place_word} {place} خبر داد.",
        "{event} با حضور {n} هنرمند در {place_word} {place} برگزار شد.",
        "وزارت اطلاعات و فرهنگ بر گسترش همکاری‌ها با {country} در زمینه {topic} تأکید کرد.",
    ),
    sentence_templates=(
        "{attr} {person} در این نشست گفت: «{quote}»",
        "وی افزود: «{quote}»",
        "در این برنامه {n} تن از فعالان عرصه {topic} اشتراک کرده بودند.",
        "این برنامه در تالار ریاست اطلاعات و فرهنگ {place_word} {place} برگزار شد.",
        "قرار است {n} اثر تاریخی دیگر در {place_word} {place} نیز ترمیم شود.",
        "اشتراک‌کنندگان بر حمایت از {topic} و {topic2} تأکید کردند.",
        "همچنین در این نشست روی گسترش همکاری با {country} در بخش {topic} بحث شد.",
    ),
    quotes=(
        "حفاظت از {topic} یکی از اولویت‌های این وزارت است.",
        "ما تلاش می‌کنیم زمینه کار را برای فعالان {topic} فراهم سازیم.",
        "{topic} بخشی از هویت فرهنگی کشور است و باید حفظ شود.",
    ),
    tags=("میراث فرهنگی", "رسانه‌ها", "گردشگری", "صنایع دستی", "کتاب", "آرشیف", "فرهنگ"),
    captions=("نمایی از برنامه", "اشتراک‌کنندگان در نشست", "عکس: وزارت اطلاعات و فرهنگ"),
)


@dataclass(slots=True)
class FaStory:
    """The subject of one generated Persian/Dari article."""

    person: str
    country: str
    topic: str
    topic2: str
    place: str
    event: str


def story(rng: Random, vocab: FaVocab) -> FaStory:
    """Pick the subject of one article."""
    topic, topic2 = rng.sample(vocab.topics, 2)
    return FaStory(
        person=pick(rng, vocab.people),
        country=pick(rng, vocab.countries),
        topic=topic,
        topic2=topic2,
        place=pick(rng, vocab.places),
        event=pick(rng, vocab.events),
    )


def _slots(rng: Random, vocab: FaVocab, st: FaStory) -> Slots:
    fixed = {
        "person": st.person,
        "country": st.country,
        "topic": st.topic,
        "topic2": st.topic2,
        "place": st.place,
        "place_word": vocab.place_word,
        "event": st.event,
    }
    slots: Slots
    dynamic: dict[str, Callable[[], str]] = {
        "attr": lambda: pick(rng, vocab.attributions),
        "n": lambda: fa_digits(str(between(rng, 3, 95))),
        "m": lambda: fa_digits(str(between(rng, 10, 900))),
        "quote": lambda: pick(rng, vocab.quotes).format_map(slots),
    }
    slots = Slots(fixed, dynamic)
    return slots


def _fill(template: str, rng: Random, vocab: FaVocab, st: FaStory) -> str:
    return template.format_map(_slots(rng, vocab, st))


def title(rng: Random, vocab: FaVocab, st: FaStory) -> str:
    """A headline about the story."""
    return _fill(pick(rng, vocab.title_templates), rng, vocab, st)


def lead(rng: Random, vocab: FaVocab, st: FaStory) -> str:
    """A one-sentence summary."""
    return _fill(pick(rng, vocab.lead_templates), rng, vocab, st)


def paragraphs(rng: Random, vocab: FaVocab, st: FaStory, count: int, extra: str = "") -> list[str]:
    """``count`` body paragraphs; the first opens with an attribution; ``extra`` ends the first one."""
    out: list[str] = []
    templates = vocab.sentence_templates
    slots = _slots(rng, vocab, st)
    for i in range(count):
        chosen = list(dict.fromkeys(pick(rng, templates) for _ in range(between(rng, 1, 2))))
        if i == 0:
            chosen = [templates[0], *(t for t in chosen[1:] if t != templates[0])]
        text = " ".join(t.format_map(slots) for t in chosen)
        out.append(f"{text} {extra}" if i == 0 and extra else text)
    return out


def caption(rng: Random, vocab: FaVocab) -> str:
    """A photo caption."""
    return pick(rng, vocab.captions)


def tags(rng: Random, vocab: FaVocab, st: FaStory) -> list[str]:
    """2-5 tags, the topic among them."""
    picked = [t for t in rng.sample(vocab.tags, between(rng, 1, 4)) if t != st.topic]
    return [*picked, st.topic]
