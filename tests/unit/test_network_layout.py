"""The network map's layout: a pure function from members to positions."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.network import (
    LABEL_WIDTH,
    MARKER,
    NAME_SIZE,
    RING_START,
    SECTORS,
    MapMember,
    NetworkMap,
    fit_text,
    layout,
    text_width,
)
from app.models.network import RoleKind, Sector

TITLES = {
    Sector.FAMILY: "Familie (9)",
    Sector.FRIENDS: "Venner og fritid (9)",
    Sector.SCHOOL: "Skole, uddannelse og arbejde (9)",
    Sector.PROFESSIONALS: "Fagpersoner (9)",
}
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ -.",
                min_size=1, max_size=60).filter(lambda s: s.strip())
MEMBER = st.tuples(st.sampled_from(SECTORS), st.integers(1, 3), st.sampled_from(list(RoleKind)),
                   NAMES, NAMES)


def _members(specs: list[tuple[Sector, int, RoleKind, str, str]]) -> list[MapMember]:
    return [MapMember(i + 1, s, r, k, n, role) for i, (s, r, k, n, role) in enumerate(specs)]


def _check_no_overlaps(result: NetworkMap) -> None:
    boxes = [p.box for p in result.members]
    for i, box in enumerate(boxes):
        assert not box.overlaps(result.centre_box), "a member covers the young person"
        for other in boxes[i + 1:]:
            assert not box.overlaps(other), "two members' markers or labels overlap"
        for title in result.sectors:
            assert not box.overlaps(title.box), "a member covers a sector title"
        # nothing lies across the axes between sectors (where the circle numbers are)
        assert box.x1 < result.cx or box.x0 > result.cx
        assert box.y1 < result.cy or box.y0 > result.cy
        assert box.x0 >= 0 and box.x1 <= result.width
        assert box.y0 >= 0 and box.y1 <= result.height


def _check_every_member_drawn_in_place(members: list[MapMember], result: NetworkMap) -> None:
    assert sorted(p.key for p in result.members) == [m.key for m in members]
    inner_edges = (RING_START, *result.ring_radii[:2])
    for placed in result.members:
        sx, sy = {Sector.FAMILY: (-1, -1), Sector.FRIENDS: (1, -1), Sector.SCHOOL: (1, 1),
                  Sector.PROFESSIONALS: (-1, 1)}[placed.sector]
        assert (placed.x - result.cx) * sx > 0 and (placed.y - result.cy) * sy > 0
        distance = math.hypot(placed.x - result.cx, placed.y - result.cy)
        inner, outer = inner_edges[placed.ring - 1], result.ring_radii[placed.ring - 1]
        assert inner + MARKER <= distance <= outer - MARKER, "the marker is outside its ring"


def _check_sectors_labelled(result: NetworkMap) -> None:
    assert [t.sector for t in result.sectors] == list(SECTORS)
    for title in result.sectors:
        assert title.text.strip()
        assert title.box.x0 >= 0 and title.box.x1 <= result.width
    top = [t for t in result.sectors if t.y < result.cy]
    bottom = [t for t in result.sectors if t.y > result.cy]
    assert len(top) == len(bottom) == 2
    assert not top[0].box.overlaps(top[1].box) and not bottom[0].box.overlaps(bottom[1].box)


@settings(max_examples=120, deadline=None, database=None)
@given(st.lists(MEMBER, max_size=25))
def test_no_markers_or_labels_overlap_and_every_member_is_drawn_in_its_sector_and_ring(specs):
    members = _members(specs)
    result = layout(members, TITLES, "Freja Østergaard")
    _check_no_overlaps(result)
    _check_every_member_drawn_in_place(members, result)
    _check_sectors_labelled(result)


@settings(max_examples=30, deadline=None, database=None)
@given(st.sampled_from(SECTORS), st.integers(1, 3))
def test_25_people_in_one_sector_and_one_ring_still_fit_without_overlapping(sector, ring):
    members = [MapMember(i, sector, ring, RoleKind.PROFESSIONAL, "Wilhelmine Mørch-Wedel " * 3,
                         "PPR-psykolog, Pædagogisk Psykologisk Rådgivning") for i in range(25)]
    result = layout(members, TITLES, "Mikkel Bæk")
    _check_no_overlaps(result)
    _check_every_member_drawn_in_place(members, result)


def test_a_typical_network_of_25_stays_compact_enough_to_read():
    members = [MapMember(i, SECTORS[i % 4], 1 + i % 3, RoleKind.RELATIVE,
                         "Anne-Marie Kristensen", "Bedsteforælder") for i in range(25)]
    result = layout(members, TITLES, "Freja Østergaard")
    _check_no_overlaps(result)
    # about 1000 units wide: names at 14 units stay readable on a screen and on A4
    assert result.width <= 1200


def test_an_empty_map_still_shows_the_centre_three_rings_and_four_labelled_sectors():
    result = layout([], TITLES, "Freja Østergaard")
    assert result.members == ()
    assert result.ring_radii[0] < result.ring_radii[1] < result.ring_radii[2]
    assert [r.ring for r in result.ring_labels] == [1, 2, 3]
    assert [t.text for t in result.sectors] == [TITLES[s] for s in SECTORS]
    assert result.centre_lines == ("Freja", "Østergaard")


def test_the_layout_is_a_function_of_its_input():
    members = _members([(Sector.FAMILY, 1, RoleKind.RELATIVE, "Anne", "Mor"),
                        (Sector.SCHOOL, 2, RoleKind.SCHOOL_WORK, "Lise", "Lærer")])
    assert layout(members, TITLES, "Freja Ø") == layout(members, TITLES, "Freja Ø")


def test_a_crowded_ring_widens_and_pushes_the_outer_rings_out():
    one = layout(_members([(Sector.FAMILY, 1, RoleKind.RELATIVE, "Anne", "Mor")]), TITLES, "F")
    crowded = layout(_members([(Sector.FAMILY, 1, RoleKind.RELATIVE, f"Person {i}", "Mor")
                               for i in range(12)]), TITLES, "F")
    assert crowded.ring_radii[0] > one.ring_radii[0]
    assert crowded.ring_radii[2] - crowded.ring_radii[0] == one.ring_radii[2] - one.ring_radii[0]


def test_long_names_are_shortened_with_an_ellipsis_and_fit_the_label_width():
    name = "Anne-Sofie Margrethe Wilhelmsen-Holmgaard Nielsen"
    fitted = fit_text(name, LABEL_WIDTH, NAME_SIZE, bold=True)
    assert fitted.endswith("…") and name.startswith(fitted[:-1])
    assert text_width(fitted, NAME_SIZE, bold=True) <= LABEL_WIDTH
    assert fit_text("Anne Hansen", LABEL_WIDTH, NAME_SIZE) == "Anne Hansen"
    [placed] = layout(_members([(Sector.FAMILY, 1, RoleKind.RELATIVE, name, "Mor")]), TITLES,
                      "F").members
    assert placed.name == fitted


def test_a_long_name_in_the_centre_wraps_onto_three_lines_at_most():
    result = layout([], TITLES, "Anne-Sofie Margrethe Wilhelmsen Holmgaard Nielsen")
    assert len(result.centre_lines) == 3
    assert result.centre_lines[0] == "Anne-Sofie"
    assert result.centre_lines[-1].endswith("…")
