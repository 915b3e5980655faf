"""Hand-written tables behind the built-in corpus: sentence frames and translated entity names.

Every row here was written for crop-hf. Frames hold ``{i}`` placeholders for entity *i* (typed by
``Frame.types``); a target variant can carry a noise kind (``"inflection"``, ``"reorder"``) so the
generator can dial that noise up or down. Chinese frames are written in words, a space between two (the
segmentation a Chinese parallel corpus comes with); the generator's Chinese text has no spaces and its tokens are
characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SYNTHETIC_LANGUAGES = ("es", "nl", "de", "no", "zh", "ru")
FAKER_LOCALES = {"en": "en_US", "es": "es_ES", "nl": "nl_NL", "de": "de_DE", "no": "no_NO", "ru": "ru_RU"}


@dataclass(frozen=True)
class Variant:
    text: str
    noise: str | None = None  # None: the plain rendering; otherwise the noise kind it stands for


@dataclass(frozen=True)
class Frame:
    types: tuple[str, ...]
    en: str
    targets: dict[str, tuple[Variant, ...]] = field(default_factory=dict)


def _f(types: str, en: str, **targets: str | tuple[str, ...]) -> Frame:
    """Build a frame; a tuple target is (plain, noisy variant as "kind|text", ...)."""
    out: dict[str, tuple[Variant, ...]] = {}
    for lang, value in targets.items():
        texts = (value,) if isinstance(value, str) else value
        variants = [Variant(texts[0])]
        for noisy in texts[1:]:
            kind, text = noisy.split("|", 1)
            variants.append(Variant(text, kind))
        out[lang] = tuple(variants)
    return Frame(tuple(types.split()), en, out)


# `{1:prep}` / `{0:gen}` ask for an inflected form (Russian cases, Germanic -s genitive) under "inflection" noise.
FRAMES: tuple[Frame, ...] = (
    _f(
        "PER LOC",
        "{0} lives in {1} .",
        es="{0} vive en {1} .",
        nl="{0} woont in {1} .",
        de=("{0} wohnt in {1} .", "reorder|In {1} wohnt {0} ."),
        no="{0} bor i {1} .",
        zh="{0} 住在 {1} 。",
        ru=("{0} живёт в {1} .", "inflection|{0} живёт в {1:prep} ."),
    ),
    _f(
        "PER ORG",
        "{0} works for {1} .",
        es="{0} trabaja para {1} .",
        nl="{0} werkt voor {1} .",
        de="{0} arbeitet für {1} .",
        no="{0} jobber for {1} .",
        zh="{0} 在 {1} 工作 。",
        ru="{0} работает в {1} .",
    ),
    _f(
        "ORG LOC",
        "{0} opened a new office in {1} yesterday .",
        es="{0} abrió ayer una nueva oficina en {1} .",
        nl=(
            "{0} opende gisteren een nieuw kantoor in {1} .",
            "reorder|Gisteren opende {0} een nieuw kantoor in {1} .",
        ),
        de=("{0} eröffnete gestern ein neues Büro in {1} .", "reorder|Gestern eröffnete {0} ein neues Büro in {1} ."),
        no="{0} åpnet i går et nytt kontor i {1} .",
        zh="{0} 昨天 在 {1} 开设 了 新 办事处 。",
        ru=("{0} вчера открыла новый офис в {1} .", "inflection|{0} вчера открыла новый офис в {1:prep} ."),
    ),
    _f(
        "PER MISC",
        "{0} won a medal at the {1} .",
        es="{0} ganó una medalla en los {1} .",
        nl="{0} won een medaille op de {1} .",
        de="{0} gewann eine Medaille bei den {1} .",
        no="{0} vant en medalje under {1} .",
        zh="{0} 在 {1} 上 获得 了 一枚 奖牌 。",
        ru="{0} завоевал медаль на турнире {1} .",
    ),
    _f(
        "LOC LOC",
        "The train from {0} to {1} is late .",
        es="El tren de {0} a {1} llega tarde .",
        nl="De trein van {0} naar {1} is te laat .",
        de="Der Zug von {0} nach {1} hat Verspätung .",
        no="Toget fra {0} til {1} er forsinket .",
        zh="从 {0} 到 {1} 的 火车 晚点 了 。",
        ru="Поезд из {0} в {1} опаздывает .",
    ),
    _f(
        "PER PER ORG",
        "{0} met {1} at the headquarters of {2} .",
        es="{0} se reunió con {1} en la sede de {2} .",
        nl="{0} ontmoette {1} op het hoofdkantoor van {2} .",
        de="{0} traf {1} in der Zentrale von {2} .",
        no="{0} møtte {1} på hovedkontoret til {2} .",
        zh="{0} 在 {2} 总部 会见 了 {1} 。",
        ru="{0} встретился с {1} в штаб-квартире {2} .",
    ),
    _f(
        "ORG",
        "Shares of {0} rose sharply on Monday .",
        es="Las acciones de {0} subieron con fuerza el lunes .",
        nl="De aandelen van {0} stegen maandag sterk .",
        de="Die Aktien von {0} stiegen am Montag deutlich .",
        no="Aksjene i {0} steg kraftig mandag .",
        zh="{0} 的 股价 周一 大幅 上涨 。",
        ru="Акции {0} резко выросли в понедельник .",
    ),
    _f(
        "LOC MISC",
        "{0} will host the {1} next year .",
        es="{0} organizará los {1} el próximo año .",
        nl="{0} organiseert volgend jaar de {1} .",
        de="{0} richtet im nächsten Jahr die {1} aus .",
        no="{0} skal arrangere {1} neste år .",
        zh="{0} 将 于 明年 举办 {1} 。",
        ru="{0} примет {1} в следующем году .",
    ),
    _f(
        "PER",
        "The new book by {0} sold well .",
        es="El nuevo libro de {0} se vendió bien .",
        nl=("Het nieuwe boek van {0} verkocht goed .", "inflection|{0:gen} nieuwe boek verkocht goed ."),
        de=("Das neue Buch von {0} verkaufte sich gut .", "inflection|{0:gen} neues Buch verkaufte sich gut ."),
        no=("Den nye boken til {0} solgte godt .", "inflection|{0:gen} nye bok solgte godt ."),
        zh="{0} 的 新书 卖 得 很 好 。",
        ru="Новая книга {0} хорошо продавалась .",
    ),
    _f(
        "PER LOC",
        "Yesterday {0} flew to {1} for a meeting .",
        es="Ayer {0} voló a {1} para una reunión .",
        nl="Gisteren vloog {0} naar {1} voor een vergadering .",
        de="Gestern flog {0} zu einem Treffen nach {1} .",
        no="I går fløy {0} til {1} for et møte .",
        zh="昨天 {0} 飞往 {1} 参加 会议 。",
        ru="Вчера {0} улетел в {1} на встречу .",
    ),
    _f(
        "ORG PER",
        "{0} has appointed {1} as its new director .",
        es="{0} ha nombrado a {1} como nuevo director .",
        nl="{0} heeft {1} benoemd tot nieuwe directeur .",
        de="{0} hat {1} zum neuen Direktor ernannt .",
        no="{0} har utnevnt {1} til ny direktør .",
        zh="{0} 任命 {1} 为 新 总监 。",
        ru="{0} назначила {1} новым директором .",
    ),
    _f(
        "",
        "The weather was very cold this morning .",
        es="El tiempo estaba muy frío esta mañana .",
        nl="Het weer was vanochtend erg koud .",
        de="Das Wetter war heute Morgen sehr kalt .",
        no="Været var veldig kaldt i morges .",
        zh="今天 早上 天气 很 冷 。",
        ru="Сегодня утром было очень холодно .",
    ),
)

# Pronouns that replace a dropped PER entity on the target side.
PRONOUNS = {"es": "él", "nl": "hij", "de": "er", "no": "han", "zh": "他", "ru": "он"}

# Translated names: en, es, nl, de, no, zh, ru.
_LANG_ORDER = ("en", "es", "nl", "de", "no", "zh", "ru")


def _table(rows: str) -> tuple[dict[str, str], ...]:
    return tuple(dict(zip(_LANG_ORDER, line.split(" / "))) for line in rows.strip().splitlines())


TRANSLATED_LOC = _table(
    """
Germany / Alemania / Duitsland / Deutschland / Tyskland / 德国 / Германия
Spain / España / Spanje / Spanien / Spania / 西班牙 / Испания
France / Francia / Frankrijk / Frankreich / Frankrike / 法国 / Франция
Italy / Italia / Italië / Italien / Italia / 意大利 / Италия
Norway / Noruega / Noorwegen / Norwegen / Norge / 挪威 / Норвегия
Japan / Japón / Japan / Japan / Japan / 日本 / Япония
Sweden / Suecia / Zweden / Schweden / Sverige / 瑞典 / Швеция
Egypt / Egipto / Egypte / Ägypten / Egypt / 埃及 / Египет
London / Londres / Londen / London / London / 伦敦 / Лондон
Paris / París / Parijs / Paris / Paris / 巴黎 / Париж
Moscow / Moscú / Moskou / Moskau / Moskva / 莫斯科 / Москва
Rome / Roma / Rome / Rom / Roma / 罗马 / Рим
Vienna / Viena / Wenen / Wien / Wien / 维也纳 / Вена
Brussels / Bruselas / Brussel / Brüssel / Brussel / 布鲁塞尔 / Брюссель
Lisbon / Lisboa / Lissabon / Lissabon / Lisboa / 里斯本 / Лиссабон
New York / Nueva York / New York / New York / New York / 纽约 / Нью-Йорк
"""
)

TRANSLATED_ORG = _table(
    """
United Nations / Naciones Unidas / Verenigde Naties / Vereinte Nationen / De forente nasjoner / 联合国 / Организация Объединённых Наций
European Union / Unión Europea / Europese Unie / Europäische Union / Den europeiske union / 欧盟 / Европейский союз
World Bank / Banco Mundial / Wereldbank / Weltbank / Verdensbanken / 世界银行 / Всемирный банк
Red Cross / Cruz Roja / Rode Kruis / Rotes Kreuz / Røde Kors / 红十字会 / Красный Крест
"""
)

TRANSLATED_MISC = _table(
    """
Olympic Games / Juegos Olímpicos / Olympische Spelen / Olympischen Spiele / Olympiske leker / 奥运会 / Олимпийские игры
World Cup / Copa Mundial / Wereldbeker / Weltmeisterschaft / Verdensmesterskapet / 世界杯 / Чемпионат мира
Tour de France / Tour de France / Tour de France / Tour de France / Tour de France / 环法自行车赛 / Тур де Франс
European Championship / Campeonato Europeo / Europees Kampioenschap / Europameisterschaft / Europamesterskapet / 欧洲锦标赛 / Чемпионат Европы
"""
)

# Names in non-Latin scripts with their English renderings (local entities that English keeps romanised).
ZH_SURNAMES = {"王": "Wang", "李": "Li", "张": "Zhang", "刘": "Liu", "陈": "Chen", "杨": "Yang", "赵": "Zhao",
               "黄": "Huang", "周": "Zhou", "吴": "Wu", "孙": "Sun", "马": "Ma"}  # fmt: skip
ZH_GIVEN = {"伟": "Wei", "芳": "Fang", "敏": "Min", "静": "Jing", "强": "Qiang", "磊": "Lei", "军": "Jun",
            "洋": "Yang", "勇": "Yong", "霞": "Xia", "明": "Ming", "华": "Hua", "平": "Ping", "辉": "Hui"}  # fmt: skip
ZH_CITIES = {"上海": "Shanghai", "广州": "Guangzhou", "深圳": "Shenzhen", "成都": "Chengdu", "杭州": "Hangzhou",
             "南京": "Nanjing", "武汉": "Wuhan", "重庆": "Chongqing", "天津": "Tianjin"}  # fmt: skip
ZH_COMPANIES = {"华为": "Huawei", "腾讯": "Tencent", "阿里巴巴": "Alibaba", "小米": "Xiaomi", "百度": "Baidu"}
RU_CITIES = ("Казань", "Самара", "Омск", "Пермь", "Тула", "Томск", "Сочи", "Новгород", "Уфа")
RU_COMPANIES = ("Газпром", "Аэрофлот", "Сбербанк", "Яндекс", "Роснефть")

# Russian -> Latin (a plain scholarly-style scheme, enough for English renderings of names).
RU_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                       "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya".split()))  # fmt: skip
RU_TRANSLIT.update({"ъ": "", "ь": ""})
