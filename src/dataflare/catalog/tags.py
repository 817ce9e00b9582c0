"""The `globalTags` aspect, as assets and assertions send it: a list of tag URNs."""

from __future__ import annotations

from typing import Any

from dataflare.core.errors import InvalidInput
from dataflare.core.limits import MAX_LABEL_CHARS, MAX_TAGS
from dataflare.core.text import check_text
from dataflare.core.urns import entity_type_of


def tag_urns(aspect: dict[str, Any]) -> list[str]:
    """The tag URNs a globalTags aspect names, in order; a 400 naming the first bad entry."""
    tags = aspect.get("tags") or []
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise InvalidInput(f"aspect.tags: a list of at most {MAX_TAGS} tags is required.")
    names = []
    for i, tag in enumerate(tags):
        value = tag.get("tag") if isinstance(tag, dict) else None
        if not isinstance(value, str) or entity_type_of(value) != "tag":
            raise InvalidInput(f"aspect.tags[{i}].tag: a tag URN is required.")
        names.append(check_text(value, f"aspect.tags[{i}].tag", MAX_LABEL_CHARS))
    return names


def kept_tags(kept_aspect: dict[str, Any] | None) -> list[str]:
    """The tags of a kept globalTags aspect (checked when it arrived); none when there is none."""
    if kept_aspect is None:
        return []
    return [t["tag"] for t in kept_aspect.get("tags") or [] if isinstance(t, dict) and "tag" in t]
