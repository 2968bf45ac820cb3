"""The body map's clickable regions: front and back views, each region tied to one site checkbox.

Front view: the patient faces us, so their right side is on our left. Back view: we see their back, so
their left is on our left. Geometry is fixed SVG attributes; the template only loops over these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.utils.safestring import SafeString, mark_safe

from stepcare.intake import wording as w
from stepcare.intake.forms import SITE_CHOICES

FRONT_X: Final = 110
BACK_X: Final = 350
_CHOICE_INDEX: Final = {value: i for i, (value, _) in enumerate(SITE_CHOICES)}


@dataclass(frozen=True, slots=True)
class Region:
    view: str
    site: str
    tag: str
    geometry: SafeString
    label: str
    checkbox_id: str
    on: bool


def _circle(x: float, y: float, r: float) -> tuple[str, str]:
    return "circle", f'cx="{x}" cy="{y}" r="{r}"'


def _ellipse(x: float, y: float, rx: float, ry: float) -> tuple[str, str]:
    return "ellipse", f'cx="{x}" cy="{y}" rx="{rx}" ry="{ry}"'


def _rect(x: float, y: float, width: float, height: float) -> tuple[str, str]:
    return "rect", f'x="{x}" y="{y}" width="{width}" height="{height}" rx="8"'


def _paired(
    cx: float, near: str, far: str, shape: str, dx: float, *rest: float
) -> list[tuple[str, tuple[str, str]]]:
    """Two mirror shapes: `near` is drawn on our left (x = cx - dx), `far` on our right."""
    if shape == "circle":
        return [(near, _circle(cx - dx, *rest)), (far, _circle(cx + dx, *rest))]
    return [(near, _ellipse(cx - dx, *rest)), (far, _ellipse(cx + dx, *rest))]


def _view(cx: float, view: str) -> list[tuple[str, tuple[str, str]]]:
    # On the front view the patient's right is on our left; on the back view their left is.
    near, far = ("right", "left") if view == "front" else ("left", "right")
    shapes: list[tuple[str, tuple[str, str]]] = [("head:midline", _ellipse(cx, 40, 30, 32))]
    if view == "front":
        shapes += [
            ("face:midline", _ellipse(cx, 50, 19, 17)),
            ("neck:midline", _rect(cx - 12, 73, 24, 17)),
            (f"chest-wall:{near}", _rect(cx - 44, 94, 42, 58)),
            (f"chest-wall:{far}", _rect(cx + 2, 94, 42, 58)),
            ("abdomen:midline", _rect(cx - 40, 156, 80, 48)),
            ("pelvis:midline", _rect(cx - 36, 208, 72, 30)),
        ]
        shapes += _paired(cx, f"hip:{near}", f"hip:{far}", "circle", 48, 222, 12)
    else:
        shapes += [
            ("neck:midline", _rect(cx - 12, 73, 24, 17)),
            ("thoracic-back:midline", _rect(cx - 44, 94, 88, 60)),
            ("low-back:midline", _rect(cx - 44, 158, 88, 44)),
            (f"buttock:{near}", _rect(cx - 44, 206, 42, 38)),
            (f"buttock:{far}", _rect(cx + 2, 206, 42, 38)),
        ]
    shapes += _paired(cx, f"shoulder:{near}", f"shoulder:{far}", "circle", 60, 100, 14)
    shapes += _paired(cx, f"elbow:{near}", f"elbow:{far}", "circle", 66, 170, 11)
    shapes += _paired(cx, f"wrist-hand:{near}", f"wrist-hand:{far}", "ellipse", 70, 252, 13, 21)
    shapes += _paired(cx, f"knee:{near}", f"knee:{far}", "circle", 22, 352, 15)
    shapes += _paired(cx, f"ankle-foot:{near}", f"ankle-foot:{far}", "ellipse", 24, 468, 16, 13)
    return shapes


def bodymap_regions(chosen: set[str]) -> list[Region]:
    """Every clickable region of both views, with its accessible name and checkbox."""
    out: list[Region] = []
    for view, cx in (("front", FRONT_X), ("back", BACK_X)):
        for site, (tag, geometry) in _view(cx, view):
            region, _, side = site.partition(":")
            label = f"{w.site_label(region, side)} ({view})"
            out.append(
                Region(
                    view=view,
                    site=site,
                    tag=tag,
                    geometry=mark_safe(geometry),  # noqa: S308 - numbers formatted above, no user input
                    label=label,
                    checkbox_id=f"id_sites_{_CHOICE_INDEX[site]}",
                    on=site in chosen,
                )
            )
    return out
