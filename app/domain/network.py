"""The network map's layout: a pure function from members to positions. No I/O.

The young person sits in the centre. Four sectors are the four quadrants (family top left,
friends and leisure top right, school, education and work bottom right, professionals bottom
left), and three rings show closeness. Each member is a marker with a two-line label (name,
role) below it; marker and label together make the member's box.

Boxes never overlap each other, the centre or the corridors along the axes between sectors,
so no label hides another. Ring bands start at a comfortable width and grow when a ring is
too crowded to fit; the picture grows with them, so every member is always drawn.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from app.models.network import RoleKind, Sector

# Sizes in SVG user units (the picture scales to the page; see app.css).
MARKER = 11.0  # half the marker's size
NAME_SIZE = 14.0
ROLE_SIZE = 13.0
LINE = 16.0
LABEL_WIDTH = 172.0  # the widest a label line may be; longer text ends in "…"
PAD = 3.0
GAP = 4.0  # the least space between two boxes
CORRIDOR = 12.0  # half the width of the empty lanes along the axes
CENTRE_RADIUS = 58.0
CENTRE_TEXT_WIDTH = 100.0
CENTRE_SIZE = 15.0
CENTRE_LINES = 3
RING_START = CENTRE_RADIUS + 16.0
RING_WIDTH = 120.0  # the starting width of each ring band
RING_GROWTH = 40.0
RADIAL_STEP = 14.0
ANGLE_STEP = 3.0  # degrees
SECTOR_SIZE = 18.0
SECTOR_BAND = 44.0  # room above and below the picture for the sector titles
MARGIN = 16.0
MAX_ATTEMPTS = 200

SECTORS: tuple[Sector, ...] = (
    Sector.FAMILY, Sector.FRIENDS, Sector.SCHOOL, Sector.PROFESSIONALS,
)
# Which way each sector's quadrant lies from the centre (SVG: y grows downwards).
QUADRANT: dict[Sector, tuple[int, int]] = {
    Sector.FAMILY: (-1, -1),
    Sector.FRIENDS: (1, -1),
    Sector.SCHOOL: (1, 1),
    Sector.PROFESSIONALS: (-1, 1),
}
RINGS = (1, 2, 3)

# Approximate advance widths (in em) of IBM Plex Sans, the design system's font, rounded up.
_NARROW = set("iljtfI.,;:!|'()[] ")
_SEMI = set("rsJz-\"/")
_WIDE = set("mwMWæÆœŒ@%")
_BOLD = 1.08
_SAFETY = 1.06


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """A generous estimate of how wide `text` is drawn at font size `size`."""
    total = 0.0
    for char in text:
        if char in _NARROW:
            total += 0.3
        elif char in _SEMI:
            total += 0.45
        elif char in _WIDE:
            total += 0.9
        elif char.isupper() or char.isdigit():
            total += 0.68
        else:
            total += 0.58
    return total * size * (_BOLD if bold else 1.0) * _SAFETY


def fit_text(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """`text`, shortened with an ellipsis if it is wider than `width`."""
    text = " ".join(text.split())
    if text_width(text, size, bold=bold) <= width:
        return text
    while text and text_width(text + "…", size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        return not (
            self.x1 + gap <= other.x0 or other.x1 + gap <= self.x0
            or self.y1 + gap <= other.y0 or other.y1 + gap <= self.y0
        )

    def shifted(self, dx: float, dy: float) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)


@dataclass(frozen=True)
class MapMember:
    """What the layout needs to know about a member."""

    key: int
    sector: Sector
    ring: int
    kind: RoleKind
    name: str
    role: str


@dataclass(frozen=True)
class PlacedMember:
    key: int
    sector: Sector
    ring: int
    kind: RoleKind
    x: float
    y: float
    name: str  # as drawn (perhaps shortened)
    role: str
    name_y: float  # text baselines
    role_y: float
    marker: Box
    label: Box

    @property
    def box(self) -> Box:
        return Box(min(self.marker.x0, self.label.x0), self.marker.y0,
                   max(self.marker.x1, self.label.x1), self.label.y1)


@dataclass(frozen=True)
class SectorTitle:
    sector: Sector
    text: str
    x: float
    y: float
    anchor: str  # "start" or "end"
    box: Box


@dataclass(frozen=True)
class RingLabel:
    ring: int
    x: float
    y: float


@dataclass(frozen=True)
class NetworkMap:
    width: float
    height: float
    cx: float
    cy: float
    centre_radius: float
    centre_lines: tuple[str, ...]
    ring_radii: tuple[float, float, float]  # the outer edge of ring 1, 2 and 3
    members: tuple[PlacedMember, ...]
    sectors: tuple[SectorTitle, ...]
    ring_labels: tuple[RingLabel, ...]

    @property
    def centre_box(self) -> Box:
        r = self.centre_radius
        return Box(self.cx - r, self.cy - r, self.cx + r, self.cy + r)

    def quadrant_path(self, sector: Sector) -> str:
        """An SVG path for the sector's quarter of the outer ring (its shaded background)."""
        sx, sy = QUADRANT[sector]
        r = self.ring_radii[-1]
        start = (self.cx, self.cy + sy * r)
        end = (self.cx + sx * r, self.cy)
        sweep = 1 if sx * sy < 0 else 0
        return (f"M{self.cx:.1f} {self.cy:.1f} L{start[0]:.1f} {start[1]:.1f} "
                f"A{r:.1f} {r:.1f} 0 0 {sweep} {end[0]:.1f} {end[1]:.1f} Z")


@dataclass(frozen=True)
class _Label:
    member: MapMember
    name: str
    role: str
    width: float
    box: Box  # marker and label together, for a marker at (0, 0)


def _label(member: MapMember) -> _Label:
    name = fit_text(member.name, LABEL_WIDTH, NAME_SIZE, bold=True)
    role = fit_text(member.role, LABEL_WIDTH, ROLE_SIZE)
    width = max(text_width(name, NAME_SIZE, bold=True), text_width(role, ROLE_SIZE))
    half = max(width / 2 + PAD, MARKER + PAD)
    bottom = MARKER + PAD + NAME_SIZE + LINE + 4.0
    return _Label(member, name, role, width, Box(-half, -MARKER - PAD, half, bottom))


def _member_at(label: _Label, x: float, y: float) -> PlacedMember:
    member, width = label.member, label.width
    marker = Box(x - MARKER - PAD, y - MARKER - PAD, x + MARKER + PAD, y + MARKER + PAD)
    name_y = y + MARKER + PAD + NAME_SIZE
    role_y = name_y + LINE
    text = Box(x - width / 2 - PAD, y + MARKER, x + width / 2 + PAD, role_y + 4.0)
    return PlacedMember(member.key, member.sector, member.ring, member.kind, x, y, label.name,
                        label.role, name_y, role_y, marker, text)


def _in_quadrant(box: Box, sector: Sector) -> bool:
    sx, sy = QUADRANT[sector]
    inside_x = box.x0 >= CORRIDOR if sx > 0 else box.x1 <= -CORRIDOR
    inside_y = box.y0 >= CORRIDOR if sy > 0 else box.y1 <= -CORRIDOR
    return inside_x and inside_y


def _radii(inner: float, outer: float) -> list[float]:
    low, high = inner + MARKER + PAD + 2, outer - MARKER - PAD - 2
    return [low + i * RADIAL_STEP for i in range(int((high - low) // RADIAL_STEP) + 1)]


def _spread(target: float, inner: float, outer: float) -> Iterator[tuple[float, float]]:
    """(radius, angle) pairs nearest the member's share of the quadrant, band middle first."""
    radii = _radii(inner, outer)
    middle = (radii[0] + radii[-1]) / 2 if radii else inner
    radii.sort(key=lambda r: abs(r - middle))
    for k in range(int(90 / ANGLE_STEP) + 1):
        for sign in ((1,) if k == 0 else (1, -1)):
            angle = target + sign * k * ANGLE_STEP
            if 0 < angle < 90:
                for radius in radii:
                    yield radius, angle


def _place_group(group: Sequence[_Label], sector: Sector, inner: float, outer: float,
                 taken: list[Box]) -> list[PlacedMember] | None:
    """Each member as near its even share of the quadrant as there is room; None when the
    band is too narrow for the group."""
    sx, sy = QUADRANT[sector]
    taken = list(taken)
    result: list[PlacedMember] = []
    for index, label in enumerate(group):
        target = (index + 0.5) * 90.0 / len(group)
        if sx * sy > 0:  # keep the reading order clockwise in every quadrant
            target = 90.0 - target
        for radius, angle in _spread(target, inner, outer):
            rad = math.radians(angle)
            x, y = sx * radius * math.sin(rad), sy * radius * math.cos(rad)
            box = label.box.shifted(x, y)
            if _in_quadrant(box, sector) and not any(box.overlaps(o, GAP) for o in taken):
                result.append(_member_at(label, x, y))
                taken.append(box)
                break
        else:
            return None
    return result


def _place_rings(members: Sequence[MapMember],
                 centre: Box) -> tuple[list[PlacedMember], list[float]]:
    placed: list[PlacedMember] = []
    edges: list[float] = []
    inner = RING_START
    for ring in RINGS:
        groups = {
            sector: [_label(m) for m in members if m.sector is sector and m.ring == ring]
            for sector in SECTORS
        }
        width = RING_WIDTH
        for _attempt in range(MAX_ATTEMPTS):
            ring_placed: list[PlacedMember] = []
            for sector in SECTORS:
                if not groups[sector]:
                    continue
                taken = [centre, *(p.box for p in placed), *(p.box for p in ring_placed)]
                found = _place_group(groups[sector], sector, inner, inner + width, taken)
                if found is None:
                    break
                ring_placed += found
            else:
                break
            width += RING_GROWTH
        else:  # pragma: no cover - the bands grow until everyone fits
            raise RuntimeError("network map layout did not converge")
        placed += ring_placed
        inner += width
        edges.append(inner)
    return placed, edges


def _centre_lines(centre_name: str) -> tuple[str, ...]:
    """The young person's name on up to three lines inside the centre circle."""
    lines: list[str] = []
    for word in centre_name.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(joined, CENTRE_SIZE, bold=True) <= CENTRE_TEXT_WIDTH:
            lines[-1] = joined
        else:
            lines.append(word)
    if len(lines) > CENTRE_LINES:
        lines = [*lines[:CENTRE_LINES - 1], " ".join(lines[CENTRE_LINES - 1:])]
    return tuple(fit_text(line, CENTRE_TEXT_WIDTH, CENTRE_SIZE, bold=True) for line in lines)


def layout(members: Sequence[MapMember], sector_titles: Mapping[Sector, str],
           centre_name: str) -> NetworkMap:
    """Places every member; the result's coordinates are ready for an SVG viewBox."""
    members = [m if m.ring in RINGS else _clamped(m) for m in members]
    centre = Box(-CENTRE_RADIUS, -CENTRE_RADIUS, CENTRE_RADIUS, CENTRE_RADIUS)
    placed, edges = _place_rings(members, centre)
    extent = max([edges[-1], *(abs(v) for p in placed
                               for v in (p.box.x0, p.box.x1, p.box.y0, p.box.y1))])
    half = extent + MARGIN
    titles = [fit_text(sector_titles[s], half - MARGIN, SECTOR_SIZE, bold=True)
              for s in SECTORS]
    cx, cy = half, half + SECTOR_BAND
    width, height = 2 * half, 2 * half + 2 * SECTOR_BAND
    moved = tuple(
        PlacedMember(p.key, p.sector, p.ring, p.kind, p.x + cx, p.y + cy, p.name, p.role,
                     p.name_y + cy, p.role_y + cy, p.marker.shifted(cx, cy),
                     p.label.shifted(cx, cy))
        for p in placed
    )
    return NetworkMap(
        width=round(width, 1), height=round(height, 1), cx=cx, cy=cy,
        centre_radius=CENTRE_RADIUS, centre_lines=_centre_lines(centre_name),
        ring_radii=(edges[0], edges[1], edges[2]), members=moved,
        sectors=tuple(_sector_title(s, t, width, height) for s, t in zip(SECTORS, titles,
                                                                         strict=True)),
        ring_labels=tuple(
            RingLabel(ring, cx + (edges[i] + (edges[i - 1] if i else RING_START)) / 2, cy)
            for i, ring in enumerate(RINGS)
        ),
    )


def _clamped(member: MapMember) -> MapMember:
    ring = min(max(member.ring, RINGS[0]), RINGS[-1])
    return MapMember(member.key, member.sector, ring, member.kind, member.name, member.role)


def _sector_title(sector: Sector, text: str, width: float, height: float) -> SectorTitle:
    sx, sy = QUADRANT[sector]
    y = SECTOR_BAND - 14 if sy < 0 else height - 14
    w = text_width(text, SECTOR_SIZE, bold=True)
    if sx < 0:
        x, anchor, box = MARGIN, "start", Box(MARGIN, y - SECTOR_SIZE, MARGIN + w, y + 5)
    else:
        x, anchor = width - MARGIN, "end"
        box = Box(width - MARGIN - w, y - SECTOR_SIZE, width - MARGIN, y + 5)
    return SectorTitle(sector, text, x, y, anchor, box)
