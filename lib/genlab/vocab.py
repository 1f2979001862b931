"""Label vocabularies of the real datasets (MLDS anime tags, DLCV CSV columns, CelebA attributes)."""
from __future__ import annotations

# MLDS hw3 anime tags. Order is fixed: indices are class ids.
HAIR_COLORS: tuple[str, ...] = (
    "orange", "white", "aqua", "gray", "green", "red",
    "purple", "pink", "blue", "black", "brown", "blonde",
)
EYE_COLORS: tuple[str, ...] = (
    "black", "orange", "pink", "yellow", "aqua", "purple",
    "green", "brown", "red", "blue", "gray",
)
N_HAIR, N_EYE = len(HAIR_COLORS), len(EYE_COLORS)
# Hair tags in tags_clean.csv that are not colours and are dropped when choosing the hair colour.
NON_COLOR_HAIR_TAGS: frozenset[str] = frozenset({"long", "short", "damage", "pubic"})
# Eye tags in tags_clean.csv that are not a single colour.
NON_COLOR_EYE_TAGS: frozenset[str] = frozenset({"bicolored"})
# Spellings in tag text that mean a vocabulary colour.
COLOR_ALIASES: dict[str, str] = {"blond": "blonde", "grey": "gray"}

# DLCV hw4 train.csv / test.csv columns after image_name.
DLCV_ATTRIBUTES: tuple[str, ...] = (
    "Bangs", "Big_Lips", "Black_Hair", "Blond_Hair", "Brown_Hair", "Heavy_Makeup",
    "High_Cheekbones", "Male", "Mouth_Slightly_Open", "Smiling", "Straight_Hair",
    "Wavy_Hair", "Wearing_Lipstick",
)
SMILING = "Smiling"

# CelebA list_attr_celeba.txt, line 2, in file order.
CELEBA_ATTRIBUTES: tuple[str, ...] = (
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs",
    "Big_Lips", "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair",
    "Bushy_Eyebrows", "Chubby", "Double_Chin", "Eyeglasses", "Goatee", "Gray_Hair",
    "Heavy_Makeup", "High_Cheekbones", "Male", "Mouth_Slightly_Open", "Mustache",
    "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline",
    "Rosy_Cheeks", "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair", "Wearing_Earrings",
    "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace", "Wearing_Necktie", "Young",
)

# The three hair colours that DLCV labels and StarGAN translates between: an exclusive group.
HAIR_GROUP: tuple[str, ...] = ("Black_Hair", "Blond_Hair", "Brown_Hair")
# StarGAN domains used by the hw3 3-3 style transfer: the hair group, then two that flip.
STARGAN_DOMAINS: tuple[str, ...] = HAIR_GROUP + ("Male", "Young")
