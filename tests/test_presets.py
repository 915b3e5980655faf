import pytest

from crop_hf.demo.loop import run_demo
from crop_hf.presets import PRESETS, check_real_preset, get_preset


def test_paper_hyperparameters():
    conll = get_preset("conll5")
    assert conll.languages == ("en", "es", "nl", "de", "no") and conll.lst_model == "facebook/m2m100_418M"
    assert conll.lst["learning_rate"] == 1e-4 and conll.lst["warmup_steps"] == 4000 and conll.lst["adam_beta2"] == 0.98
    assert conll.ner["num_train_epochs"] == 10 and conll.ner["per_device_train_batch_size"] == 32
    assert len(PRESETS["xtreme40"].languages) == 40 and PRESETS["xtreme40"].label_scheme == "xtreme"


def test_real_preset_fails_early_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RuntimeError, match="cannot run here: the Hub is not reachable"):
        check_real_preset("conll5")
    with pytest.raises(RuntimeError, match="--preset xtreme40 cannot run here"):
        run_demo(tmp_path, preset="xtreme40")
    assert not any(tmp_path.iterdir())  # nothing was started
    with pytest.raises(ValueError, match="use one of tiny, conll5, xtreme40"):
        run_demo(tmp_path, preset="wikiann")
