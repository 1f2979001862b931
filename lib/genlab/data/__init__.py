"""Data: readers for the real datasets' formats, tags, images, the input pipeline, the embedded synthetic faces.

The same readers serve the real datasets and the embedded synthetic ones (written in the same formats).
"""
from __future__ import annotations

from genlab.data.attributes import AttributeRecords, read_celeba_attributes, read_dlcv_split
from genlab.data.images import image_array, load_images
from genlab.data.mlds import AnimeRecords, load_mlds, read_extra_tags, read_tags_clean
from genlab.data.pipeline import image_dataset
from genlab.data.ranges import SIGNED, UNIT, to_float, to_signed, to_uint8, to_unit
from genlab.data.tags import AnimeTags, read_tag_file, tag_conditions
from genlab.errors import DatasetError

__all__ = [
    "SIGNED",
    "UNIT",
    "AnimeRecords",
    "AnimeTags",
    "AttributeRecords",
    "DatasetError",
    "image_array",
    "image_dataset",
    "load_images",
    "load_mlds",
    "read_celeba_attributes",
    "read_dlcv_split",
    "read_extra_tags",
    "read_tag_file",
    "read_tags_clean",
    "tag_conditions",
    "to_float",
    "to_signed",
    "to_uint8",
    "to_unit",
]
