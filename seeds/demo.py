"""The demo municipality: `overgang seed-demo [--if-empty]`.

Loads the invented "Egebjerg Kommune": 8 staff accounts sharing one demo password, and
40 young people aged 14 to 19 on the day the seed runs, spread over every age band of
the transition (under 16, 16-16½, 16½-17, 17-17½, 17½-18, 18+). Birth dates are computed
from today, so the spread stays right whenever the seed is run. Everything else is
deterministic (a fixed random seed). Young people are created through the youth service,
so CPR hashes, events and audit rows are the same as for records entered in the app.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, func, select

from app.db import make_engine, unit_of_work
from app.domain import review as review_rules
from app.domain.communication import INTERVAL
from app.domain.youth import YouthData, latest_birth_date_for_age
from app.models.letter import StatusUpdate
from app.models.review import PointResult, ReviewArea, ReviewPoint, SampledCase
from app.models.timeline import TimelineStep, YouthStep
from app.models.user import Role, User
from app.models.youth import (
    Channel,
    EventKind,
    Frequency,
    SupportExpected,
    Youth,
    YouthEvent,
    YouthStatus,
)
from app.services import auth, review, timeline, youths
from app.settings import Settings
from seeds import data, demo_case

# Published on purpose: the demo accounts are for trying the app out, never for real data.
DEMO_PASSWORD = "demo-overgang-2026"  # noqa: S105
RANDOM_SEED = 2026

ROLE_LABELS = {
    Role.CHILD_CASEWORKER: "Sagsbehandler, børnehandicap",
    Role.ADULT_CASEWORKER: "Sagsbehandler, voksenstøtte",
    Role.COORDINATOR: "Koordinator / leder",
    Role.ADMIN: "Administrator",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    email_local: str
    phone: str

    @property
    def email(self) -> str:
        return f"{self.email_local}@{data.EMAIL_DOMAIN}"


DEMO_USERS = (
    DemoUser("mette", "Mette Kjær Andersen", Role.CHILD_CASEWORKER,
             "mette.andersen", "+45 72 36 41 10"),
    DemoUser("jonas", "Jonas Vestergaard", Role.CHILD_CASEWORKER,
             "jonas.vestergaard", "+45 72 36 41 11"),
    DemoUser("camilla", "Camilla Holm Petersen", Role.CHILD_CASEWORKER,
             "camilla.petersen", "+45 72 36 41 12"),
    DemoUser("lars", "Lars Bech Nielsen", Role.ADULT_CASEWORKER,
             "lars.nielsen", "+45 72 36 42 20"),
    DemoUser("hanne", "Hanne Møller Jensen", Role.ADULT_CASEWORKER,
             "hanne.jensen", "+45 72 36 42 21"),
    DemoUser("yasmin", "Yasmin Ahmadi Lund", Role.ADULT_CASEWORKER,
             "yasmin.lund", "+45 72 36 42 22"),
    DemoUser("birgitte", "Birgitte Dahl", Role.COORDINATOR,
             "birgitte.dahl", "+45 72 36 40 01"),
    DemoUser("admin", "Kasper Frederiksen", Role.ADMIN,
             "kasper.frederiksen", "+45 72 36 40 90"),
)

# (age from, age below, how many), in months: 40 young people, youngest first.
AGE_SLOTS = (
    (14 * 12, 15 * 12, 4),  # under 16
    (15 * 12, 16 * 12, 4),  # under 16
    (16 * 12, 16 * 12 + 6, 6),  # 16 to 16½
    (16 * 12 + 6, 17 * 12, 7),  # 16½ to 17
    (17 * 12, 17 * 12 + 6, 7),  # 17 to 17½
    (17 * 12 + 6, 18 * 12, 6),  # 17½ to 18
    (18 * 12, 19 * 12, 3),  # 18 or older
    (19 * 12, 20 * 12, 3),  # 18 or older
)

# Features of particular young people, by position in the youngest-first list.
NO_CPR = {16: "Udenlandsk statsborger, CPR-nummer ikke tildelt endnu"}
NAMES = {16: ("Amal", "Haddad"), 25: ("Yusuf", "Abdi"), 30: ("Signe", "Lykke Holm")}
NOT_ASSESSED = {0, 1, 2, 4, 6, 9, 11}
NO_SUPPORT = {3, 10, 24}
NO_COORDINATOR_YET = {20, 27}
NO_ADULT_CASEWORKER_YET = {21, 28}
TRANSFERRED = {35, 37, 39}
REGISTERED_LATE = {25}  # moved to the municipality after turning 16½
WITH_OVERDUE_STEP = {19, 23, 28, 31, 36}
CLOSED = {38: "Flyttet til anden kommune; sagen er sendt videre til tilflytningskommunen."}
PLAIN_LANGUAGE = {5, 12, 16, 22, 31, 36}
INTERPRETER = {16: "arabisk", 25: "somali"}
SIGN_LANGUAGE = {30}
BISIDDER = {18, 23, 29, 35, 37}
OTHER_NEEDS = {
    7: "Autisme: har brug for dagsorden og billeder af mødedeltagerne på forhånd.",
    14: "Bruger kørestol; møder holdes i lokaler med elevator.",
    19: "Foretrækker møder i hjemmet.",
    30: "Døv; tolkning på dansk tegnsprog ved alle møder.",
    33: "Trættes hurtigt; møder højst en time.",
}
CHANNELS = (
    [Channel.DIGITAL_POST] * 10 + [Channel.EMAIL] * 4 + [Channel.SMS] * 2
    + [Channel.PHONE] * 2 + [Channel.MEETING, Channel.LETTER]
)
FREQUENCIES = (
    [Frequency.ON_CHANGE] * 4 + [Frequency.MONTHLY] * 3 + [Frequency.FORTNIGHTLY] * 2
    + [Frequency.QUARTERLY, Frequency.WEEKLY]
)


@dataclass(frozen=True)
class Staff:
    admin: User
    child: list[User]
    adult: list[User]


def main(settings: Settings, *, if_empty: bool, today: date | None = None) -> int:
    """Loads the demo municipality and prints the demo logins.

    With `if_empty`, nothing is loaded when any user exists already. Without it, the
    demo is loaded unless its usernames are taken (then nothing is loaded and 1 is
    returned). `today` defaults to today in the municipality's time zone.
    """
    today = today or datetime.now(settings.tz).date()
    engine = make_engine(settings)
    status = 0
    try:
        with unit_of_work(engine) as session:
            taken = _taken_usernames(session)
            if if_empty and session.exec(select(func.count()).select_from(User)).one() > 0:
                print("Databasen har allerede brugere; demo-data indlæses ikke.")
            elif taken:
                print(f"Demo-brugernavnene findes allerede ({', '.join(taken)}); intet indlæst.")
                status = 1
            else:
                count = load(session, settings, today)
                print(f"{data.MUNICIPALITY}: {count} unge og {len(DEMO_USERS)} brugere indlæst.")
    finally:
        engine.dispose()
    print_logins()
    return status


def print_logins() -> None:
    width = max(len("Brugernavn"), *(len(u.username) for u in DEMO_USERS))
    role_width = max(len(label) for label in ROLE_LABELS.values())
    print(f"\nDemo-logins ({data.MUNICIPALITY}):")
    print(f"  {'Brugernavn':<{width + 2}}{'Rolle':<{role_width + 2}}Navn")
    for user in DEMO_USERS:
        print(f"  {user.username:<{width + 2}}{ROLE_LABELS[user.role]:<{role_width + 2}}"
              f"{user.full_name}")
    print(f"Adgangskode for alle demo-brugere: {DEMO_PASSWORD}\n")


def _taken_usernames(session: Session) -> list[str]:
    names = [u.username for u in DEMO_USERS]
    return list(session.exec(select(User.username).where(col(User.username).in_(names))))


def load(session: Session, settings: Settings, today: date) -> int:
    """Creates the demo staff and young people in `session` (the caller commits)."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 (reproducible fake data, not secrets)
    users = [
        auth.create_user(
            session, username=u.username, full_name=u.full_name, email=u.email,
            role=u.role, password=DEMO_PASSWORD, phone=u.phone,
        )
        for u in DEMO_USERS
    ]
    staff = Staff(
        admin=next(u for u in users if u.role is Role.ADMIN),
        child=[u for u in users if u.role is Role.CHILD_CASEWORKER],
        adult=[u for u in users if u.role is Role.ADULT_CASEWORKER],
    )
    flag_age = relativedelta(years=settings.flag_age_years, months=settings.flag_age_months)
    births = _birth_dates(rng, today)
    names = _names(rng, len(births))
    serials: set[str] = set()
    cases = []
    for i, birth in enumerate(births):
        cpr = None if i in NO_CPR else _unique_cpr(rng, birth, serials)
        record = _youth_data(i, birth, cpr, names[i], rng, staff, today)
        youth = youths.create(session, settings, staff.admin, record, today)
        _history(session, settings, i, youth, flag_age, today)
        cases.append((i, youth))
    session.flush()
    demo_case.bring_to_life(session, settings, cases, WITH_OVERDUE_STEP | REGISTERED_LATE, today,
                            demo_case.at(today, settings, 8))
    coordinator = next(u for u in users if u.role is Role.COORDINATOR)
    _management_review(session, settings, coordinator, today)
    return len(births)


REVIEW_SIZE = 5
REVIEWED = 3
REVIEW_FINDINGS = (
    "Forløbet er godt dokumenteret, og familien er hørt før hvert møde.",
    "Den unges egne ønsker til bolig fremgår tydeligt af handleplanen.",
    "Referatet fra koordineringsmødet mangler. Den unges ønsker er ikke noteret.",
)


def _management_review(session: Session, settings: Settings, coordinator: User,
                       today: date) -> None:
    """An earlier sample of the cases in transition, this year, with three of its five cases
    reviewed (the last asks its caseworker for a follow-up), so the report shows something."""
    start = max(date(today.year, 1, 1), today.replace(day=1) - relativedelta(months=1))
    data = review_rules.SampleData(
        area=ReviewArea.TRANSITION, period_start=start,
        period_end=max(start, today - timedelta(days=1)), size=REVIEW_SIZE,
        seed=f"demo-{today.year}")
    sample = review.draw_sample(session, settings, coordinator, data, today)
    cases = session.exec(select(SampledCase).where(SampledCase.sample_id == sample.id)
                         .order_by(col(SampledCase.position)).limit(REVIEWED)).all()
    for n, case in enumerate(cases):
        view = review.review_view(session, settings, coordinator, case.id or 0, today)
        missing = n == len(cases) - 1
        answers = {
            p.point: review_rules.AnswerData(judgement=p.prefill or PointResult.MET)
            for p in view.points}
        if missing:
            answers[ReviewPoint.CITIZEN_INVOLVEMENT] = review_rules.AnswerData(
                judgement=PointResult.NOT_MET, note="Den unges ønsker er ikke noteret.")
        owner = view.youth.coordinator_id or view.youth.child_caseworker_id
        follow_up = review_rules.ReviewData(
            findings=REVIEW_FINDINGS[n % len(REVIEW_FINDINGS)],
            follow_up_text="Notér den unges ønsker og referatet fra mødet i sagen."
            if missing else "",
            follow_up_owner_id=owner if missing else None,
            follow_up_due_on=today + timedelta(days=14) if missing else None)
        review.save_review(session, settings, coordinator, case.id or 0, answers, follow_up,
                           today)
    review.save_findings(session, coordinator, today.year, ReviewArea.TRANSITION,
                         "Inddragelsen er generelt godt dokumenteret. Referater fra "
                         "koordineringsmøder skal lægges i sagen samme uge.")


def _history(session: Session, settings: Settings, i: int, youth: Youth,
             flag_age: relativedelta, today: date) -> None:
    """A case that has been in the register for a while: created at 14 (or three years
    ago), flagged on its flag date by the daily job, and the steps before today done by
    the children's caseworker, except in the cases shown with overdue steps. One case
    (REGISTERED_LATE) was registered after its flag date and is flagged late on start-up."""
    if i in REGISTERED_LATE:
        return
    youth.created_at = demo_case.at(max(youth.birth_date + relativedelta(years=14),
                               today - relativedelta(years=3)), settings)
    flag_day = youth.birth_date + flag_age
    if (flag_day <= today and youth.adult_support_expected is not SupportExpected.NO
            and youth.status is not YouthStatus.CLOSED):
        youth.flagged_at = demo_case.at(flag_day, settings, 6)
        youth.transition_started_on = flag_day
        youth.flag_for_assessment = (
            youth.adult_support_expected is SupportExpected.NOT_ASSESSED)
        session.add(YouthEvent(youth_id=youth.id or 0, at=youth.flagged_at,
                               kind=EventKind.FLAGGED))
    session.add(youth)
    _status_update(session, settings, i, youth, today)
    steps = session.exec(  # the steps events close come about by their events (demo_case)
        select(YouthStep)
        .join(TimelineStep, col(TimelineStep.id) == col(YouthStep.step_id))
        .where(YouthStep.youth_id == youth.id, col(YouthStep.due_on) < today,
               col(TimelineStep.key).not_in(demo_case.EVENT_STEPS))
        .order_by(col(YouthStep.due_on))
    ).all()
    for n, step in enumerate(steps):
        if i in WITH_OVERDUE_STEP and n == len(steps) - 1:
            continue  # the latest past step is still open: overdue
        step.done_at = demo_case.at(min(step.due_on + timedelta(days=7), today), settings, 11)
        step.done_by_id = youth.child_caseworker_id
        session.add(step)
    timeline.refresh_next_open_due(session, [youth.id or 0])


def _status_update(session: Session, settings: Settings, i: int, youth: Youth,
                   today: date) -> None:
    """The latest news given under the communication agreement: a call recently enough that
    the next update is due in a few days, except every fourth case, where it is due now."""
    interval = INTERVAL.get(youth.comm_frequency)
    if interval is None or youth.status is not YouthStatus.ACTIVE:
        return
    shift = timedelta(days=-3 if i % 4 == 0 else 1 + i % 5)
    session.add(StatusUpdate(
        youth_id=youth.id or 0, given_at=demo_case.at(today - interval + shift, settings, 10),
        channel=Channel.PHONE, note="Ringede og fortalte, hvordan sagen går.",
        created_by_id=youth.child_caseworker_id))


def _birth_dates(rng: random.Random, today: date) -> list[date]:
    """Birth dates inside each age slot, youngest first."""
    births: list[date] = []
    for from_months, below_months, count in AGE_SLOTS:
        on_or_before = latest_birth_date_for_age(relativedelta(months=from_months), today)
        after = latest_birth_date_for_age(relativedelta(months=below_months), today)
        days = sorted(rng.sample(range(1, (on_or_before - after).days + 1), count), reverse=True)
        births.extend(after + timedelta(days=d) for d in days)
    return births


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(first, last) names: no first name twice (nor a staff member's), a last name at
    most twice, about one in six from the non-Danish list."""
    used_first = {first for first, _ in NAMES.values()}
    used_first |= {u.full_name.split()[0] for u in DEMO_USERS}
    last_count: dict[str, int] = {}
    names: list[tuple[str, str]] = []
    for i in range(count):
        if i in NAMES:
            names.append(NAMES[i])
            continue
        pool = data.GIRLS_FIRST_NAMES if i % 2 else data.BOYS_FIRST_NAMES
        first = rng.choice([n for n in pool if n not in used_first])
        used_first.add(first)
        lasts = data.OTHER_LAST_NAMES if rng.random() < 0.15 else data.DANISH_LAST_NAMES
        last = rng.choice([n for n in lasts if last_count.get(n, 0) < 2])
        last_count[last] = last_count.get(last, 0) + 1
        names.append((first, last))
    return names


def _unique_cpr(rng: random.Random, birth: date, used: set[str]) -> str:
    while True:
        cpr = data.fictitious_cpr(birth, rng.randrange(1000))
        if cpr not in used:
            used.add(cpr)
            return cpr


def _school(rng: random.Random, age_years: int) -> str:
    if age_years < 16:
        return rng.choice(data.SCHOOLS_YOUNGER)
    if age_years < 17:
        return rng.choice(data.SCHOOLS_MIDDLE)
    return rng.choice(data.SCHOOLS_OLDER)


def _youth_data(
    i: int, birth: date, cpr: str | None, name: tuple[str, str], rng: random.Random,
    staff: Staff, today: date,
) -> YouthData:
    age = relativedelta(today, birth)
    age_months = age.years * 12 + age.months
    if i in NO_SUPPORT:
        support = SupportExpected.NO
    elif i in NOT_ASSESSED:
        support = SupportExpected.NOT_ASSESSED
    else:
        support = SupportExpected.YES
    in_transition = support is SupportExpected.YES and age_months >= 16 * 12 + 6
    child_cw = staff.child[i % len(staff.child)]
    coordinator_id = buddy_id = adult_cw_id = None
    if in_transition and i not in NO_COORDINATOR_YET:
        # The children's caseworker coordinates; the buddy alternates between a
        # colleague in the same department and one in the adult department.
        coordinator_id = child_cw.id
        buddy = (staff.child[(i + 1) % len(staff.child)] if i % 2
                 else staff.adult[i % len(staff.adult)])
        buddy_id = buddy.id
    if (support is SupportExpected.YES and age.years >= 17
            and i not in NO_ADULT_CASEWORKER_YET):
        adult_cw_id = staff.adult[(i // 2) % len(staff.adult)].id
    status = YouthStatus.ACTIVE
    if i in TRANSFERRED:
        status = YouthStatus.TRANSFERRED
    elif i in CLOSED:
        status = YouthStatus.CLOSED
    postal_code, city = rng.choice(data.TOWNS)
    floor = rng.choice(["", "", "", "st. th.", "1. tv.", "2. th."])
    return YouthData(
        cpr=cpr,
        birth_date=None if cpr else birth,
        birth_date_reason=NO_CPR.get(i, ""),
        first_name=name[0],
        last_name=name[1],
        address=data.address(rng.choice(data.STREETS), rng.randint(1, 120), floor),
        postal_code=postal_code,
        city=city,
        school=_school(rng, age.years),
        adult_support_expected=support,
        child_caseworker_id=child_cw.id,
        adult_caseworker_id=adult_cw_id,
        coordinator_id=coordinator_id,
        buddy_id=buddy_id,
        youth_had_say=coordinator_id is not None and rng.random() < 0.8,
        comm_channel=rng.choice(CHANNELS),
        comm_frequency=rng.choice(FREQUENCIES),
        plain_language=i in PLAIN_LANGUAGE,
        interpreter_language=INTERPRETER.get(i, ""),
        sign_language=i in SIGN_LANGUAGE,
        other_needs=OTHER_NEEDS.get(i, ""),
        bisidder_offered=i in BISIDDER,
        status=status,
        closed_reason=CLOSED.get(i, ""),
    )
