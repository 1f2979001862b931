"""StarGAN style transfer recipes: build and train for a profile, translate to every domain, measure."""
from __future__ import annotations

import keras
import numpy as np

from genlab import data as D
from genlab import models as M
from genlab import training as T
from genlab.vocab import STARGAN_DOMAINS


PAPER_BATCH_SIZE = 16  # Choi et al. 2018, and the official implementation


def train_stargan(session, images: np.ndarray, labels: np.ndarray, steps: int | None = None,
                  batch_size: int = PAPER_BATCH_SIZE):
    """StarGAN with the paper's losses, optimizer and batch size at the profile's image size and width.

    ``images`` uint8, ``labels`` (N, n_domains) 0/1; each step is ``n_critic`` critic updates
    on ``batch_size`` images each and one generator update. Returns (model, TrainResult).
    """
    p = session.profile
    T.set_seed(session.seed)
    n_domains = labels.shape[1]
    generator = M.build_stargan_generator(p.stargan_image_size, n_domains, p.stargan_conv_dim, p.stargan_res_blocks)
    discriminator = M.build_stargan_discriminator(p.stargan_image_size, n_domains, p.stargan_conv_dim)
    model = T.StarGAN(generator, discriminator, n_domains, seed=session.seed)
    model.compile(keras.optimizers.Adam(1e-4, 0.5, 0.999), keras.optimizers.Adam(1e-4, 0.5, 0.999),
                  lambda_cls=1.0, lambda_rec=10.0, lambda_gp=10.0, n_critic=5)
    steps = steps or p.steps_for("stargan")
    dataset = D.image_dataset(images, labels, batch_size=batch_size * model.n_critic, seed=session.seed)
    result = T.train(model, dataset, steps, session.run_dir("stargan"), log_every=p.log_interval(steps))
    return model, result


def _translate(model, x, c, batch_size=128):
    return np.concatenate([np.asarray(model.translate(x[i : i + batch_size], c[i : i + batch_size]))
                           for i in range(0, len(x), batch_size)])


def translate_all(model, images_pm1: np.ndarray, labels: np.ndarray, domains=STARGAN_DOMAINS,
                  strength: float = 1.0, blend: float = 1.0) -> np.ndarray:
    """(N, 1 + len(domains), H, W, 3): the original, then the image moved to each domain.

    ``strength`` < 1 takes a smaller step in label space (c_org + strength (c_trg - c_org));
    ``blend`` < 1 mixes the translation with the original: the report's gentler setting.
    """
    columns = [images_pm1]
    for target in T.stargan_targets(labels, domains):
        c = labels + strength * (target - labels)
        out = _translate(model, images_pm1, c.astype("float32"))
        columns.append((1.0 - blend) * images_pm1 + blend * out)
    return np.stack(columns, axis=1)


def translation_scores(model, classifier, images_pm1: np.ndarray, labels: np.ndarray, domains=STARGAN_DOMAINS) -> list[dict]:
    """Per domain: target-attribute accuracy of translations, mean change of the other attributes,
    and cycle reconstruction L1 (translate, then back to the original labels)."""
    rows = []
    before = classifier.predict(images_pm1)["domains"]
    for i, target in enumerate(T.stargan_targets(labels, domains)):
        fake = _translate(model, images_pm1, target)
        probs = classifier.predict(fake)["domains"]
        others = [j for j in range(len(domains)) if j != i and not (i < 3 and j < 3)]
        back = _translate(model, fake, labels.astype("float32"))
        rows.append({
            "domain": domains[i],
            "target accuracy": float(((probs[:, i] > 0.5) == (target[:, i] > 0.5)).mean()),
            "other attributes changed": float(np.abs(probs[:, others] - before[:, others]).mean()),
            "cycle L1": float(np.abs(back - images_pm1).mean()),
        })
    return rows
