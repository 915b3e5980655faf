"""Small files in the exact formats the builders read, written from sentences made up for these tests.

Gold sentences are written as ``"Anna/B-PER Lindqvist/I-PER flew to Oslo/B-LOC ."`` (BIO); the writers turn them into
the distributed formats: CoNLL-2003 with IOB1 tags, POS/chunk/lemma columns and ``-DOCSTART-`` lines (English UTF-8,
German Latin-1), CoNLL-2002 (Spanish token+tag, Dutch token+POS+tag, Latin-1), NorNE CoNLL-U, PAN-X
``lang:token<TAB>tag`` files (folder, renamed and tarball layouts), CCAligned xz-compressed TSV and FLORES-101/200
``devtest/<code>.devtest`` files.
"""

from __future__ import annotations

import io
import lzma
import tarfile
from pathlib import Path

# --- gold data (BIO) --------------------------------------------------------------------------------------------

CONLL_GOLD: dict[str, dict[str, list[list[str]]]] = {
    # per split: documents, each a list of sentences
    "en": {
        "train": [
            [
                "Anna/B-PER Lindqvist/I-PER flew from Oslo/B-LOC to Nairobi/B-LOC on Monday .",
                "The Westbrook/B-ORG Rowing/I-ORG Club/I-ORG hired Tomas/B-PER Ferreira/I-PER .",
                "Goals : Okafor/B-PER Lindgren/B-PER ( penalty ) .",
            ],
            ["Brightwater/B-ORG shares rose in New/B-LOC York/I-LOC trading , said an English/B-MISC analyst ."],
        ],
        "validation": [["Clara/B-PER Osei/I-PER joined Vantor/B-ORG Labs/I-ORG in Accra/B-LOC .", "It rained ."]],
        "test": [["The Olympic/B-MISC Games/I-MISC returned to Lisbon/B-LOC .", "Dunmore/B-ORG fined Jakob/B-PER ."]],
    },
    "de": {
        "train": [
            [
                "Jürgen/B-PER Müller/I-PER wohnt in Köln/B-LOC .",
                "Grüße aus Österreich/B-LOC Schweiz/B-LOC und von den Stadtwerken/B-ORG Düsseldorf/I-ORG .",
            ]
        ],
        "validation": [["Frau Schäfer/B-PER liest die Süddeutsche/B-ORG Zeitung/I-ORG ."]],
        "test": [["Das Münchner/B-MISC Straßenfest/I-MISC beginnt ."]],
    },
    "es": {
        "train": [
            [
                "La señora Peña/B-PER llegó a Córdoba/B-LOC .",
                "El Banco/B-ORG de/I-ORG Castilla/I-ORG abrió en León/B-LOC .",
                "La Vuelta/B-MISC a/I-MISC España/I-MISC terminó .",
            ]
        ],
        "validation": [["José/B-PER Núñez/I-PER vive en Málaga/B-LOC ."]],
        "test": [["Telefónica/B-ORG ganó ."]],
    },
    "nl": {
        "train": [
            ["Sofie/B-PER Peeters/I-PER werkt in Brussel/B-LOC ."],
            ["Het café van De/B-ORG Zwaan/I-ORG ligt in België/B-LOC ."],
        ],
        "validation": [["Koen/B-PER ging naar Gent/B-LOC ."]],
        "test": [["Het Vlaamse/B-MISC parlement vergaderde ."]],
    },
}

# NorNE keeps its own types; the builder maps them to CoNLL.
NORNE_GOLD: dict[str, list[str]] = {
    "train": [
        "Bjørn/B-PER Ås/I-PER flyttet til Tromsø/B-GPE_LOC .",
        "Bergen/B-GPE_ORG samarbeider med Fjordkraft/B-ORG .",
        "Hun leste Dagbladet/B-PROD under Vinter-OL/B-EVT og snakket med oslofolk/B-DRV ved Mjøsa/B-LOC .",
    ],
    "dev": ["Ålesund/B-GPE_LOC vant over Molde/B-GPE_ORG ."],
    "test": ["Kari/B-PER Nordmann/I-PER smilte ."],
}

PANX_GOLD: dict[str, dict[str, list[str]]] = {
    "sw": {
        "train": [
            "Amina/B-PER Said/I-PER alisafiri kwenda Mombasa/B-LOC .",
            "Benki/B-ORG ya/I-ORG Taifa/I-ORG iko Arusha/B-LOC",
        ],
        "dev": ["Juma/B-PER anaishi Kisumu/B-LOC"],
        "test": ["Chama/B-ORG cha/I-ORG Walimu/I-ORG"],
    },
    "zh": {
        "train": ["王/B-PER 芳/I-PER 住 在 杭/B-LOC 州/I-LOC 。"],
        "dev": ["北/B-ORG 京/I-ORG 大/I-ORG 学/I-ORG"],
        "test": ["李/B-PER 雷/I-PER"],
    },
    "ar": {
        "train": ["زار أحمد/B-PER القاهرة/B-LOC", "سافرت ليلى/B-PER"],
        "dev": ["شركة/B-ORG النور/I-ORG"],
        "test": ["دبي/B-LOC"],
    },
}

# (English, Spanish, LASER score) and (German, English, score): the de file is one of the target-first ones.
CCALIGNED_ES_SENTENCES = [
    ("The river is wide .", "El río es ancho .", 1.21),
    ("Our bakery opens at seven .", "Nuestra panadería abre a las siete .", 1.18),
    ("Call us today .", "Llámenos hoy .", 1.09),
]
CCALIGNED_DE_SENTENCES = [
    ("Das Haus ist alt .", "The house is old .", 1.17),
    ("Wir backen Brot .", "We bake bread .", 1.12),
]
# domain, English URL, English text, target URL, target text ('|' between segments, as in the distributed files)
CCALIGNED_ES_DOCUMENTS = [
    ("example.org", "https://example.org/en/a", "Home|About us|We sell bread.", "https://example.org/es/a",
     "Inicio|Sobre nosotros|Vendemos pan.|"),
    ("example.com", "https://example.com/en/c", "Contact|Call us today.", "https://example.com/es/c",
     "Contacto| Llámenos hoy. "),
]  # fmt: skip

CONLL_FILES = {
    "en": ("eng", ("train", "testa", "testb")),
    "de": ("deu", ("train", "testa", "testb")),
    "es": ("esp", ("train", "testa", "testb")),
    "nl": ("ned", ("train", "testa", "testb")),
}
SPLITS = ("train", "validation", "test")


def parse_gold(sentence: str) -> tuple[list[str], list[str]]:
    """``"Anna/B-PER flew ."`` -> (["Anna", "flew", "."], ["B-PER", "O", "O"])."""
    tokens, tags = [], []
    for item in sentence.split():
        token, _, tag = item.rpartition("/") if "/" in item else (item, "", "O")
        tokens.append(token)
        tags.append(tag)
    return tokens, tags


def to_iob1(tags: list[str]) -> list[str]:
    """BIO -> IOB1: an entity starts with I-, except right after an entity of the same type (then B-)."""
    out = []
    for i, tag in enumerate(tags):
        if tag.startswith("B-"):
            previous = tags[i - 1] if i else "O"
            out.append(tag if previous[2:] == tag[2:] else "I-" + tag[2:])
        else:
            out.append(tag)
    return out


# MasakhaNER 2.0 keeps DATE; made-up sentences in the shape of its Hausa and Yoruba files
MASAKHANER_GOLD: dict[str, dict[str, list[str]]] = {
    "hau": {
        "train": [
            "Musa/B-PER Danjuma/I-PER ya isa Kano/B-LOC ranar/B-DATE Litinin/I-DATE .",
            "Kamfanin/B-ORG Dangote/I-ORG ya bude ofis a Abuja/B-LOC .",
            "Ruwan sama ya yi yawa .",
        ],
        "dev": ["Aisha/B-PER ta tafi Zaria/B-LOC ."],
        "test": ["Hukumar/B-ORG INEC/I-ORG ta yi taro a Kaduna/B-LOC a shekarar/B-DATE 2022/I-DATE ."],
    },
    "yor": {
        "train": ["Adé/B-PER lọ sí Ìbàdàn/B-LOC .", "Ilé-iṣẹ́/B-ORG Glo/I-ORG ń gbèrò ."],
        "dev": ["Ṣadé/B-PER wà ní Èkó/B-LOC ."],
        "test": ["Tọ́lá/B-PER dé ní ọjọ́/B-DATE Ajé/I-DATE ."],
    },
}


# --- writers ----------------------------------------------------------------------------------------------------


def write_conll5(root: Path) -> Path:
    """All CoNLL-5 files under ``root`` as distributed; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for lang, (prefix, suffixes) in CONLL_FILES.items():
        for split, suffix in zip(SPLITS, suffixes, strict=True):
            text = _conll_text(lang, CONLL_GOLD[lang][split])
            (root / f"{prefix}.{suffix}").write_bytes(text.encode("utf-8" if lang == "en" else "latin-1"))
    norne = root / "norne" / "ud" / "nob"
    norne.mkdir(parents=True, exist_ok=True)
    for split, sentences in NORNE_GOLD.items():
        (norne / f"no_bokmaal-ud-{split}.conllu").write_text(_conllu_text(sentences), encoding="utf-8")
    return root


def write_panx(root: Path) -> Path:
    """PAN-X in three layouts: ``sw/train`` folders, ``zh-train`` names, and ``ar.tar.gz`` (members train/dev/test)."""
    root.mkdir(parents=True, exist_ok=True)
    for split, sentences in PANX_GOLD["sw"].items():
        (root / "sw").mkdir(exist_ok=True)
        (root / "sw" / split).write_text(_panx_text("sw", sentences), encoding="utf-8")
    for split, sentences in PANX_GOLD["zh"].items():
        (root / f"zh-{split}").write_text(_panx_text("zh", sentences), encoding="utf-8")
    with tarfile.open(root / "ar.tar.gz", "w:gz") as tar:
        for split, sentences in PANX_GOLD["ar"].items():
            data = _panx_text("ar", sentences).encode("utf-8")
            info = tarfile.TarInfo(split)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return root


def write_ccaligned(root: Path) -> Path:
    """``sentence-aligned/en_XX-es_XX.tsv.xz``, ``sentence-aligned/de_DE-en_XX.tsv.xz``, ``en_XX-es_XX.tsv.xz``."""
    (root / "sentence-aligned").mkdir(parents=True, exist_ok=True)
    rows = ["\t".join((en, es, f"{score}")) for en, es, score in CCALIGNED_ES_SENTENCES]
    write_xz(root / "sentence-aligned" / "en_XX-es_XX.tsv.xz", rows)
    rows = ["\t".join((de, en, f"{score}")) for de, en, score in CCALIGNED_DE_SENTENCES]
    write_xz(root / "sentence-aligned" / "de_DE-en_XX.tsv.xz", rows)
    write_xz(root / "en_XX-es_XX.tsv.xz", ["\t".join(row) for row in CCALIGNED_ES_DOCUMENTS])
    return root


def write_flores(root: Path, langs: tuple[str, ...] = ("es", "nl", "de", "no"), n: int = 6) -> Path:
    """A FLORES-style folder: ``devtest/<code>.devtest``, one sentence a line, the same line count in every file.

    English is the built-in corpus's English side of the first language; each target file holds that language's
    built-in translations of its own English sentences (so only the first language's lines are translations of the
    English file's; the others have the layout, not the meaning). Spanish and Norwegian use FLORES-101 names (``spa``,
    ``nob``), the others FLORES-200 names (``nld_Latn``, ``deu_Latn``, ``eng_Latn``), as both releases are read.
    """
    from crop_hf.demo.synthetic import generate_corpus

    folder = root / "flores" / "devtest"
    folder.mkdir(parents=True, exist_ok=True)
    names = {"en": "eng_Latn", "es": "spa", "nl": "nld_Latn", "de": "deu_Latn", "no": "nob"}
    for i, lang in enumerate(langs):
        examples = list(generate_corpus([lang], n, seed=11, split="flores"))
        if i == 0:
            (folder / f"{names['en']}.devtest").write_text("".join(ex.src_text + "\n" for ex in examples), "utf-8")
        (folder / f"{names[lang]}.devtest").write_text("".join(ex.tgt_text + "\n" for ex in examples), "utf-8")
    return root / "flores"


def write_masakhaner2(root: Path, odd: bool = False) -> Path:
    """``<folder>/train.txt``, ``dev.txt``, ``test.txt``: ``word TAG`` lines, a blank line between sentences.

    ``odd`` writes the Hausa training file the way some distributed files are: Windows line ends, stray spaces around
    and between the fields (a tab too), a line of spaces between the first two sentences, and one word without its
    tag (line 3).
    """
    for folder, splits in MASAKHANER_GOLD.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for split, sentences in splits.items():
            lines = []
            for sentence in sentences:
                tokens, tags = parse_gold(sentence)
                lines += [f"{token} {tag}" for token, tag in zip(tokens, tags, strict=True)] + [""]
            if odd and folder == "hau" and split == "train":
                lines = [f" {line}  " if i % 2 else line.replace(" ", " \t ") for i, line in enumerate(lines)]
                lines[2] = lines[2].split()[0]  # "ya": the word alone, its tag missing
                (root / folder / f"{split}.txt").write_bytes("".join(x + "\r\n" for x in lines).encode("utf-8"))
                continue
            (root / folder / f"{split}.txt").write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return root


def write_xz(path: Path, rows: list[str]) -> None:
    with lzma.open(path, "wb") as out:
        out.write("".join(row + "\n" for row in rows).encode("utf-8"))


def replace_line(path: Path, number: int, text: str, encoding: str = "utf-8") -> None:
    """Put ``text`` at line ``number`` (1-based) of ``path``, keeping its compression (``.xz``) and encoding."""
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rb") as stream:
        lines = stream.read().decode(encoding).split("\n")
    lines[number - 1] = text
    with opener(path, "wb") as stream:
        stream.write("\n".join(lines).encode(encoding))


def _conll_text(lang: str, documents: list[list[str]]) -> str:
    docstart = {"en": "-DOCSTART- -X- -X- O", "de": "-DOCSTART- -X- -X- -X- O", "nl": "-DOCSTART- -DOCSTART- O"}
    lines: list[str] = []
    for document in documents:
        if lang in docstart:
            lines += [docstart[lang], ""]
        for sentence in document:
            tokens, tags = parse_gold(sentence)
            if lang in ("en", "de"):
                tags = to_iob1(tags)
            for token, tag in zip(tokens, tags, strict=True):
                pos = "NNP" if tag != "O" else ("." if token == "." else "NN")
                columns = {
                    "en": [token, pos, "I-NP", tag],
                    "de": [token, token.lower(), pos, "I-NC", tag],
                    "es": [token, tag],
                    "nl": [token, "N" if pos != "." else "Punc", tag],
                }[lang]
                lines.append(" ".join(columns))
            lines.append("")
    return "\n".join(lines) + "\n"


def _conllu_text(sentences: list[str]) -> str:
    lines: list[str] = []
    for number, sentence in enumerate(sentences, start=1):
        tokens, tags = parse_gold(sentence)
        lines += [f"# sent_id = {number:06d}", f"# text = {' '.join(tokens)}"]
        if number == 1:  # a multiword-token range line, which readers skip
            lines.append(f"1-2\t{tokens[0]}{tokens[1]}\t_\t_\t_\t_\t_\t_\t_\t_")
        for i, (token, tag) in enumerate(zip(tokens, tags, strict=True), start=1):
            space = "SpaceAfter=No " if i < len(tokens) and tokens[i] == "." else ""
            upos = "PROPN" if tag != "O" else ("PUNCT" if token == "." else "NOUN")
            head, rel = (0, "root") if i == 1 else (1, "dep")
            lines.append(f"{i}\t{token}\t{token.lower()}\t{upos}\t_\t_\t{head}\t{rel}\t_\t{space}name={tag}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _panx_text(lang: str, sentences: list[str]) -> str:
    lines: list[str] = []
    for sentence in sentences:
        tokens, tags = parse_gold(sentence)
        lines += [f"{lang}:{token}\t{tag}" for token, tag in zip(tokens, tags, strict=True)]
        lines.append("")
    return "\n".join(lines)


# --- the known damage of the distributed files ------------------------------------------------------------------

DAMAGED = "\x81"  # a C1 control character, as a damaged Latin-1 byte decodes


def damaged_dutch_text(documents: int = 4, sentences_per_document: int = 25, docstart_inside: bool = True) -> str:
    """CoNLL-2002 Dutch as the distributed copies have it, written from made-up sentences.

    - every document starts with ``-DOCSTART- -DOCSTART- O`` directly followed by its first sentence (no blank line);
      with ``docstart_inside`` the documents after the first start right after the previous sentence's last token;
    - every fifth sentence has a place name holding a damaged character (``Itali\\x81EN``) that swallowed the POS
      column: the line has two fields, ``Itali\\x81EN B-LOC``.

    Sentence ``j`` of a document: ``Sofie Peeters werkt bij De Zwaan in <place> .`` (PER, ORG, LOC), one entity
    each; so the file holds ``documents * sentences_per_document`` sentences, as many entities of each type and
    ``documents * sentences_per_document // 5`` damaged lines (see :func:`damaged_dutch_counts`).
    """
    lines: list[str] = []
    for d in range(documents):
        if d and not (docstart_inside and d % 2):
            lines.append("")  # the sentence before ends with a blank line, except where the DOCSTART cuts in
        lines.append("-DOCSTART- -DOCSTART- O")
        for j in range(sentences_per_document):
            damaged = j % 5 == 4
            place = f"Itali{DAMAGED}EN" if damaged else "Gent"
            words = [("Sofie", "N", "B-PER"), ("Peeters", "N", "I-PER"), ("werkt", "V", "O"), ("bij", "Prep", "O"),
                     ("De", "Art", "B-ORG"), ("Zwaan", "N", "I-ORG"), ("in", "Prep", "O"), (place, "N", "B-LOC"),
                     (".", "Punc", "O")]  # fmt: skip
            lines += [f"{w} {t}" if w == place and damaged else f"{w} {p} {t}" for w, p, t in words]
            last = j == sentences_per_document - 1
            if not last:
                lines.append("")
    return "\n".join(lines) + "\n"


def damaged_dutch_counts(documents: int = 4, sentences_per_document: int = 25, docstart_inside: bool = True):
    """(sentences, entities per type, damaged lines, DOCSTART lines not standing alone) of damaged_dutch_text."""
    sentences = documents * sentences_per_document
    return sentences, {"PER": sentences, "ORG": sentences, "LOC": sentences}, sentences // 5, documents


def write_damaged_dutch(root: Path, sizes: tuple[int, int, int] = (4, 2, 2)) -> Path:
    """ned.train / ned.testa / ned.testb in Latin-1 with the damage of damaged_dutch_text (``sizes``: documents)."""
    root.mkdir(parents=True, exist_ok=True)
    for suffix, documents in zip(("train", "testa", "testb"), sizes, strict=True):
        (root / f"ned.{suffix}").write_bytes(damaged_dutch_text(documents).encode("latin-1"))
    return root


def write_masakhaner2_run_data(root: Path, stand_ins: dict[str, str], n: int = 20) -> dict[str, Path]:
    """What the masakhaner2 recipe reads, in the distributed layouts, for the languages of ``stand_ins``: each
    MasakhaNER language (``{"ha": "es"}``) gets the built-in corpus's sentences of a stand-in language (the layout,
    not the meaning). ``masakhaner2/<folder>/{train,dev,test}.txt`` (``word TAG``, MISC written as DATE, so DATE is
    there to leave out), ``parallel/en-<code>.tsv`` and FLORES-200's ``devtest/<nllb code>.devtest``."""
    from crop_hf.builders.masakhaner2 import MASAKHANER2_FOLDERS
    from crop_hf.core.languages import get_language
    from crop_hf.demo.synthetic import generate_corpus

    flores = root / "flores200" / "devtest"
    for folder in (flores, root / "parallel"):
        folder.mkdir(parents=True, exist_ok=True)
    for k, (lang, stand_in) in enumerate(stand_ins.items()):
        splits = {"train": ("train", n), "dev": ("dev", 4), "test": ("test", 8)}
        for name, (split, size) in splits.items():
            lines = []
            for ex in generate_corpus([stand_in], size, seed=5, split=split):
                tags = [t.replace("MISC", "DATE") for t in ex.tgt_tags]
                lines += [f"{w} {t}" for w, t in zip(ex.tgt_tokens, tags, strict=True)] + [""]
            folder = root / "masakhaner2" / MASAKHANER2_FOLDERS[lang]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        pairs = [f"{ex.src_text}\t{ex.tgt_text}" for ex in generate_corpus([stand_in], n, seed=3, split="parallel")]
        (root / "parallel" / f"en-{lang}.tsv").write_text("\n".join(pairs) + "\n", encoding="utf-8")
        examples = list(generate_corpus([stand_in], 6, seed=11, split="flores"))
        if k == 0:
            (flores / "eng_Latn.devtest").write_text("".join(ex.src_text + "\n" for ex in examples), "utf-8")
        (flores / f"{get_language(lang).nllb_code}.devtest").write_text("".join(ex.tgt_text + "\n" for ex in examples),
                                                                         "utf-8")  # fmt: skip
    return {"masakhaner2": root / "masakhaner2", "parallel": root / "parallel", "flores": root / "flores200"}
