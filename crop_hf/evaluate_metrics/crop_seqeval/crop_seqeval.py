"""crop_seqeval: entity-level NER scores (seqeval, default mode) as an `evaluate` module that loads offline.

``evaluate.load("seqeval")`` fetches its script from the Hub; this module ships inside crop-hf instead::

    import evaluate
    from crop_hf.core.metrics import seqeval_metric_path

    metric = evaluate.load(seqeval_metric_path())
    metric.compute(predictions=[["B-PER", "O"]], references=[["B-PER", "O"]])

It gives the numbers of ``crop_hf.core.metrics.ner_scores`` in the layout of the Hub ``seqeval`` metric. The file is
self-contained (evaluate copies it into its module cache), so it imports only seqeval, datasets and evaluate.
"""

import datasets
import evaluate
from seqeval.metrics import accuracy_score
from seqeval.metrics.sequence_labeling import get_entities, precision_recall_fscore_support

_DESCRIPTION = """Entity-level precision, recall and F1 of BIO tag sequences (seqeval, default mode), overall
(micro-averaged) and per entity type, plus token accuracy. Same numbers as crop_hf.core.metrics.ner_scores."""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of sentences, each a list of predicted BIO tags.
    references: list of sentences, each a list of gold BIO tags (same lengths as the predictions).
Returns:
    "<TYPE>": {"precision", "recall", "f1", "number"} for every entity type in references or predictions,
    "overall_precision", "overall_recall", "overall_f1", "overall_accuracy".
"""

_CITATION = """@inproceedings{yang-etal-2022-crop,
  title = {{CROP}: Zero-shot Cross-lingual Named Entity Recognition with Multilingual Labeled Sequence Translation},
  author = {Yang, Jian and Huang, Shaohan and Ma, Shuming and Yin, Yuwei and Dong, Li and Zhang, Dongdong and
            Guo, Hongcheng and Li, Zhoujun and Wei, Furu},
  booktitle = {Findings of EMNLP 2022},
  year = {2022}
}
@misc{seqeval, title = {seqeval: A Python framework for sequence labeling evaluation}, author = {Hiroki Nakayama},
  year = {2018}, url = {https://github.com/chakki-works/seqeval}}
"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class CropSeqeval(evaluate.Metric):
    def _info(self):
        tags = datasets.Sequence(datasets.Value("string", id="label"), id="sequence")
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features({"predictions": tags, "references": tags}),
        )

    def _compute(self, predictions, references):
        true, pred = [list(t) for t in references], [list(p) for p in predictions]
        for i, (t, p) in enumerate(zip(true, pred)):
            if len(t) != len(p):
                raise ValueError(f"crop_seqeval: sentence {i} has {len(t)} gold tags but {len(p)} predicted tags")
        labels = sorted({e[0] for e in get_entities(true)} | {e[0] for e in get_entities(pred)})
        out = {}
        if labels:
            per = precision_recall_fscore_support(true, pred, average=None, zero_division=0)
            for label, p, r, f, n in zip(labels, *per):
                out[label] = {"precision": float(p), "recall": float(r), "f1": float(f), "number": int(n)}
        p, r, f, _ = precision_recall_fscore_support(true, pred, average="micro", zero_division=0)
        out.update(
            overall_precision=float(p),
            overall_recall=float(r),
            overall_f1=float(f),
            overall_accuracy=float(accuracy_score(true, pred)) if any(true) else 0.0,
        )
        return out
