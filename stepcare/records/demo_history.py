"""Synthetic clinical history for the demo patients: intake answers, score courses, medicines, procedures.

Read by `manage.py seed_demo` (which holds no clinical content of its own). Everything is fictional and
chosen so each page of the app has something to show: red-flag intakes in the triage queue, plateaus and
improvements on the trend charts, opioid/benzodiazepine and NSAID-kidney alerts on the medication page,
medial branch blocks that qualify a radiofrequency ablation for prior authorization.

Days are counted back from the day the command runs ("days ago"), so the charts always look current;
a negative number of days ago is in the future (a planned procedure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# ------------------------------------------------------------------------------------------ shapes


@dataclass(frozen=True)
class Course:
    """How the scores move from the first consult to the last assessment.

    shape: `improving` (reaches the at-goal band), `plateau` (an early small change, then flat),
    `worsening`, or `steady`. Each pair is (baseline, latest): PEG 0-10, function (ODI % or NDI raw,
    whichever the condition uses), PHQ-9, GAD-7.
    """

    shape: str
    peg: tuple[float, float]
    function: tuple[float, float] | None = None
    phq9: tuple[float, float] = (3, 2)
    gad7: tuple[float, float] = (3, 2)


@dataclass(frozen=True)
class GoalMeasure:
    """A goal's own measure (e.g. walking-minutes) recorded at visits, from baseline toward the target."""

    kind: str  # the goal (work | life) it measures
    baseline: float
    latest: float


@dataclass(frozen=True)
class Med:
    """A medication entry; `start_days`/`stop_days` are days ago (stop None = still taken)."""

    name: str
    dose: float | None
    unit: str = "mg"
    per_day: float | None = None
    start_days: int = 0
    stop_days: int | None = None
    reason: str = ""
    stop_reason: str = ""
    formulation: str = "ir"
    route: str = "oral"
    prn: bool = False
    ingredients: tuple[tuple[str, float, str], ...] = ()


@dataclass(frozen=True)
class Check:
    """An opioid-stewardship check (meds.MonitoringKind value) done `days_ago`."""

    kind: str
    days_ago: int
    note: str = ""


@dataclass(frozen=True)
class Procedure:
    """A procedure record taken through the workflow up to its status.

    `diary` = (pre-block NRS, NRS at each time point of the block's diary schedule); otherwise the relief
    is entered directly. `status` is `performed` (response recorded) or `planned` (in the future).
    """

    code: str
    region: str
    days_ago: int
    status: str = "performed"
    side: str = ""
    levels: str = ""
    approach: str = ""
    guidance: str = "fluoroscopy"
    indication: str = ""
    anaesthetic: str = ""
    anaesthetic_dose: str = ""
    steroid: str = ""
    steroid_dose: str = ""
    diary: tuple[int, tuple[int, ...]] | None = None
    relief_percent: float | None = None
    relief_hours: float | None = None
    function_improved: bool | None = None


@dataclass(frozen=True)
class NewIntake:
    """A second, recent intake (an update before the next visit) left unacknowledged for the triage queue."""

    days_ago: int
    sites: tuple[tuple[str, str], ...]
    red_flags: tuple[str, ...]
    narrative: str
    nrs: int


@dataclass(frozen=True)
class Background:
    """The medical background in the patient's story: the conditions ticked at intake ("Your health") and
    the clinician's profile (confirmed conditions, eGFR from a lab `egfr_days_ago`, and a psychological
    evaluation that cleared the patient for neuromodulation `psych_cleared_days_ago`)."""

    reported: tuple[str, ...] = ()
    confirmed: tuple[str, ...] = ()
    egfr: float | None = None
    egfr_days_ago: int = 30
    psych_cleared_days_ago: int | None = None
    # (condition, why): a report the clinician rules out after reviewing the record (the chart strikes it)
    ruled_out: tuple[tuple[str, str], ...] = ()

    @property
    def has_profile(self) -> bool:
        return bool(self.confirmed) or self.egfr is not None or self.psych_cleared_days_ago is not None


@dataclass(frozen=True)
class History:
    months: int  # the first consult was this many months (x 30 days) before the run date
    onset_days: int  # the pain began this many days before the first consult
    side: str  # the side of a one-sided condition (left/right/bilateral)
    course: Course
    goals: tuple[tuple[str, str, float], tuple[str, str, float]]  # (work, life): (text, measure, target)
    meds: tuple[Med, ...] = ()
    checks: tuple[Check, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    red_flags: tuple[str, ...] = ()
    goal_measure: GoalMeasure | None = None
    new_intake: NewIntake | None = None
    last_assessed_days: int = 0  # 0: a few weeks ago (random); more: an overdue reassessment
    finalized_plan: bool = False
    intake: dict[str, Any] = field(default_factory=dict)  # overrides of the condition profile's intake
    exam: dict[str, Any] = field(default_factory=dict)  # overrides of the condition profile's exam
    phq9_item9_latest: int = 0  # the latest PHQ-9's item 9 (thoughts of self-harm; 0 = not at all)
    background: Background = Background()


# ----------------------------------------------------------------------------- condition profiles
# Per condition: the intake's pain description, the history a patient brings, the examination findings,
# the function questionnaire (odi for the low back, ndi for the neck) and the confirmed diagnoses.
# "SIDE" in a site is replaced by the patient's side.

PROFILES: dict[str, dict[str, Any]] = {
    "lumbar-radiculopathy": {
        "sites": (("low-back", "midline"), ("buttock", "SIDE")),
        "radiation": ("buttock", "thigh", "below-knee", "foot"),
        "qualities": ("shooting", "electric", "burning", "tingling"),
        "symptoms": ("weakness",),
        "worse_with": ("sitting", "cough-sneeze", "flexion", "lifting"),
        "better_with": ("lying", "walking"),
        "events": (("injury", "low-back"),),
        "imaging": (("mri", "low-back", "L5-S1", ("disc-herniation", "nerve-root-compression")),),
        "therapies": (("physical-therapy", 6, True, "partial"), ("nsaid-oral", 6, True, "partial")),
        "function": "odi",
        "exam": {"slr-positive": "SIDE", "dermatomal-sensory-loss": True, "reflex-loss": True},
        "diagnoses": ("lumbar-radiculopathy",),
    },
    "lumbar-facet-pain": {
        "sites": (("low-back", "bilateral"),),
        "radiation": ("buttock",),
        "qualities": ("aching",),
        "symptoms": ("stiffness", "morning-stiffness"),
        "worse_with": ("extension", "rotation", "standing", "morning"),
        "better_with": ("flexion", "lying", "walking"),
        "imaging": (("xray", "low-back", "L4-S1", ("facet-arthropathy", "degenerative-disc")),),
        "therapies": (
            ("home-exercise", 12, True, "partial"),
            ("physical-therapy", 8, True, "partial"),
            ("acetaminophen", 26, False, "partial"),
        ),
        "function": "odi",
        "exam": {"facet-loading-positive": True, "slr-positive": None, "dermatomal-sensory-loss": False},
        "diagnoses": ("lumbar-facet-pain",),
    },
    "lumbar-spinal-stenosis": {
        "sites": (("low-back", "midline"), ("buttock", "bilateral")),
        "radiation": ("buttock", "thigh", "below-knee"),
        "qualities": ("aching", "numbness", "cramping"),
        "symptoms": ("weakness",),
        "worse_with": ("walking", "standing", "extension"),
        "better_with": ("sitting", "flexion"),
        "imaging": (("mri", "low-back", "L4-L5", ("central-stenosis", "degenerative-disc")),),
        "therapies": (("physical-therapy", 8, True, "partial"), ("home-exercise", 16, False, "partial")),
        "function": "odi",
        "exam": {"slr-positive": None, "dermatomal-sensory-loss": False, "reflex-loss": True},
        "diagnoses": ("lumbar-spinal-stenosis",),
    },
    "si-joint-pain": {
        "sites": (("buttock", "SIDE"), ("low-back", "SIDE")),
        "radiation": ("buttock", "thigh"),
        "qualities": ("aching", "stabbing"),
        "worse_with": ("transitions", "sitting", "standing"),
        "better_with": ("lying", "rest"),
        "therapies": (("physical-therapy", 8, True, "partial"), ("nsaid-oral", 4, True, "partial")),
        "function": "odi",
        "exam": {"si-provocation-positive": 4, "facet-loading-positive": False},
        "diagnoses": ("si-joint-pain",),
    },
    "knee-osteoarthritis": {
        "sites": (("knee", "SIDE"),),
        "qualities": ("aching", "stabbing"),
        "symptoms": ("stiffness", "morning-stiffness", "swelling"),
        "worse_with": ("walking", "standing", "activity", "transitions"),
        "better_with": ("rest",),
        "imaging": (("xray", "knee", "", ("osteoarthritis",)),),
        "therapies": (
            ("physical-therapy", 8, True, "partial"),
            ("weight-management", 26, False, "partial"),
            ("acetaminophen", 26, False, "partial"),
        ),
        "function": None,
        "exam": {},
        "diagnoses": ("knee-osteoarthritis",),
    },
    "crps": {
        "sites": (("ankle-foot", "SIDE"),),
        "qualities": ("burning", "allodynia", "throbbing"),
        "symptoms": ("swelling", "color-change", "temperature-change", "sweating-change", "hair-nail-change"),
        "worse_with": ("touch", "cold", "walking"),
        "better_with": ("rest",),
        "events": (("fracture", "ankle-foot"),),
        "therapies": (
            ("physical-therapy", 8, False, "partial"),
            ("desensitization-therapy", 6, False, "partial"),
        ),
        "function": None,
        "exam": {
            "allodynia": True,
            "hyperalgesia": True,
            "temperature-asymmetry": True,
            "color-change": True,
            "edema": True,
            "sweating-change": True,
            "trophic-change": True,
            "motor-dysfunction": True,
        },
        "diagnoses": ("crps",),
    },
    "fibromyalgia": {
        "sites": (("widespread", "bilateral"),),
        "qualities": ("aching", "burning"),
        "symptoms": ("fatigue", "unrefreshing-sleep", "cognitive-problems", "stiffness"),
        "worse_with": ("activity", "cold", "morning"),
        "better_with": ("rest",),
        "therapies": (("graded-activity", 12, False, "partial"), ("cbt", 8, True, "partial")),
        "function": None,
        "exam": {"wpi": 12, "sss": 8, "generalized-pain-regions": 5, "trigger-points": True},
        "diagnoses": ("fibromyalgia",),
    },
    "peripheral-neuropathy": {
        "sites": (("ankle-foot", "bilateral"),),
        "qualities": ("burning", "tingling", "numbness", "electric"),
        "worse_with": ("night", "touch", "walking"),
        "better_with": ("activity",),
        "imaging": (("emg-ncs", "ankle-foot", "", ("neuropathy",)),),
        "therapies": (("gabapentinoid", 12, True, "intolerant"),),
        "function": None,
        "exam": {"reflex-loss": True, "hyperalgesia": True, "allodynia": False},
        "diagnoses": ("peripheral-neuropathy",),
    },
    "migraine": {
        "sites": (("head", "SIDE"),),
        "qualities": ("throbbing", "pressure"),
        "symptoms": ("nausea", "photophobia", "phonophobia"),
        "worse_with": ("activity",),
        "better_with": ("rest", "lying"),
        "headache_days": 10,
        "therapies": (("triptan", 26, False, "partial"), ("sleep-hygiene", 8, False, "partial")),
        "function": None,
        "exam": {},
        "diagnoses": ("migraine",),
    },
    "cancer-pain": {
        "sites": (("hip", "SIDE"), ("low-back", "midline")),
        "qualities": ("aching", "throbbing"),
        "worse_with": ("walking", "night", "standing"),
        "better_with": ("rest", "lying"),
        "events": (("cancer-diagnosis", None),),
        "imaging": (("ct", "low-back", "L2-L3", ("lesion",)),),
        "therapies": (("acetaminophen", 12, False, "partial"), ("nsaid-oral", 4, True, "partial")),
        "red_flags": ("cancer-history", "night-pain-at-rest"),
        "function": None,
        "exam": {},
        "diagnoses": ("cancer-pain",),
    },
    "persistent-postsurgical-pain": {
        "sites": (("chest-wall", "SIDE"),),
        "qualities": ("burning", "allodynia", "shooting", "numbness"),
        "worse_with": ("touch", "activity"),
        "better_with": ("rest",),
        "events": (("surgery", "chest-wall"),),
        "therapies": (("physical-therapy", 6, True, "partial"), ("lidocaine-topical", 8, False, "partial")),
        "function": None,
        "exam": {"allodynia": True, "hyperalgesia": True},
        "diagnoses": ("persistent-postsurgical-pain",),
    },
    "pelvic-pain": {
        "sites": (("pelvis", "midline"),),
        "qualities": ("aching", "cramping", "burning"),
        "worse_with": ("sitting", "activity"),
        "better_with": ("lying", "rest"),
        "therapies": (("pelvic-floor-therapy", 8, False, "partial"), ("nsaid-oral", 12, True, "none")),
        "function": None,
        "exam": {"trigger-points": True, "allodynia": False},
        "diagnoses": ("pelvic-pain",),
    },
    "cervical-radiculopathy": {
        "sites": (("neck", "midline"), ("shoulder", "SIDE")),
        "radiation": ("arm", "below-elbow", "hand"),
        "qualities": ("shooting", "electric", "tingling"),
        "symptoms": ("weakness",),
        "worse_with": ("rotation", "extension"),
        "better_with": ("rest",),
        "imaging": (("mri", "neck", "C5-C6", ("disc-herniation", "foraminal-stenosis")),),
        "therapies": (("physical-therapy", 6, True, "partial"), ("nsaid-oral", 6, True, "partial")),
        "function": "ndi",
        "exam": {"dermatomal-sensory-loss": True, "reflex-loss": True, "weakness": ["wrist extension 4/5"]},
        "diagnoses": ("cervical-radiculopathy",),
    },
    "postherpetic-neuralgia": {
        "sites": (("chest-wall", "SIDE"), ("thoracic-back", "SIDE")),
        "qualities": ("burning", "allodynia", "tingling"),
        "worse_with": ("touch", "night"),
        "better_with": ("rest",),
        "events": (("zoster", "chest-wall"),),
        "therapies": (("lidocaine-topical", 12, False, "partial"),),
        "function": None,
        "exam": {"allodynia": True, "dermatomal-sensory-loss": True},
        "diagnoses": ("postherpetic-neuralgia",),
    },
    "post-laminectomy-syndrome": {
        "sites": (("low-back", "midline"), ("buttock", "SIDE")),
        "radiation": ("buttock", "thigh", "below-knee", "foot"),
        "qualities": ("burning", "aching", "shooting"),
        "worse_with": ("standing", "walking", "sitting"),
        "better_with": ("lying",),
        "events": (("surgery", "low-back"),),
        "imaging": (("mri", "low-back", "L4-L5", ("degenerative-disc", "foraminal-stenosis")),),
        "therapies": (
            ("physical-therapy", 12, True, "partial"),
            ("cbt", 10, True, "partial"),
            ("gabapentinoid", 16, True, "none"),
        ),
        "function": "odi",
        "exam": {"slr-positive": "SIDE", "dermatomal-sensory-loss": True},
        "diagnoses": ("post-laminectomy-syndrome",),
    },
}

# Goals a condition's patients usually bring (work, life): (text, measure, target); a patient may override.
DEFAULT_GOALS: dict[str, tuple[tuple[str, str, float], tuple[str, str, float]]] = {
    "lumbar-radiculopathy": (
        ("Work full shifts again", "shift-hours", 8),
        ("Drive for an hour without stopping", "driving-minutes", 60),
    ),
    "lumbar-facet-pain": (
        ("Stand at work for a whole morning", "standing-minutes", 120),
        ("Garden for an hour", "gardening-minutes", 60),
    ),
    "lumbar-spinal-stenosis": (
        ("Do the shopping without sitting down", "walking-minutes", 30),
        ("Walk to the park and back", "walking-minutes", 30),
    ),
    "si-joint-pain": (
        ("Sit through a working day", "sitting-minutes", 90),
        ("Climb the stairs at home without stopping", "flights-of-stairs", 2),
    ),
    "knee-osteoarthritis": (
        ("Keep volunteering two mornings a week", "mornings-per-week", 2),
        ("Walk for half an hour", "walking-minutes", 30),
    ),
    "crps": (
        ("Get back to work or study full time", "hours-per-day", 6),
        ("Wear a normal shoe", "shoe-hours", 4),
    ),
    "fibromyalgia": (
        ("Work a full week without sick days", "days-worked-per-week", 5),
        ("Swim twice a week", "swims-per-week", 2),
    ),
    "peripheral-neuropathy": (
        ("Keep up with the chores at home", "chore-hours", 2),
        ("Sleep through the night", "hours-slept", 7),
    ),
    "migraine": (
        ("Miss no more than one day of work a month", "days-missed-per-month", 1),
        ("Fewer than four headache days a month", "headache-days", 4),
    ),
    "cancer-pain": (
        ("Stay clear-headed for family time", "good-hours-per-day", 8),
        ("Walk to the car without stopping", "walking-minutes", 10),
    ),
    "persistent-postsurgical-pain": (
        ("Work a full day without stopping for the pain", "hours-per-day", 8),
        ("Wear ordinary clothes all day", "comfortable-hours", 12),
    ),
    "pelvic-pain": (
        ("Sit through meetings", "sitting-minutes", 60),
        ("Sleep through the night", "hours-slept", 7),
    ),
    "cervical-radiculopathy": (
        ("Play the violin for an hour", "practice-minutes", 60),
        ("Check the blind spot while driving without pain", "pain-free-drives-per-week", 5),
    ),
    "postherpetic-neuralgia": (
        ("Keep living independently", "independent-days-per-week", 7),
        ("Wear a blouse all day", "comfortable-hours", 12),
    ),
    "post-laminectomy-syndrome": (
        ("Work part time", "hours-per-week", 20),
        ("Walk around the block", "walking-minutes", 20),
    ),
}

DAILY_LIFE: dict[str, dict[str, Any]] = {
    "improving": {"sleep_quality": "fair", "sleep_hours": 6, "mood": "low-sometimes"},
    "plateau": {"sleep_quality": "poor", "sleep_hours": 5, "mood": "low-often"},
    "worsening": {"sleep_quality": "poor", "sleep_hours": 4.5, "mood": "low-often"},
    "steady": {"sleep_quality": "fair", "sleep_hours": 6.5, "mood": "low-sometimes"},
}

# ------------------------------------------------------------------------------- the patients
# Keyed by the family name in demo_data.PATIENTS (each is unique).


def _goals(condition: str) -> tuple[tuple[str, str, float], tuple[str, str, float]]:
    return DEFAULT_GOALS[condition]


HISTORIES: dict[str, History] = {
    # --- Riverside ---------------------------------------------------------------------------------
    "Fakename-Ortiz": History(  # Marisol: sciatica, ESI with good relief, improving
        months=7,
        onset_days=63,
        side="left",
        course=Course("improving", peg=(7.3, 2.3), function=(52, 16), phq9=(9, 3), gad7=(8, 3)),
        goals=(
            ("Work full shifts at the warehouse again", "shift-hours", 8),
            _goals("lumbar-radiculopathy")[1],
        ),
        goal_measure=GoalMeasure("work", 3, 8),
        meds=(
            Med(
                "naproxen",
                500,
                per_day=2,
                start_days=250,
                stop_days=150,
                reason="Sciatica",
                stop_reason="Stomach upset; pain controlled after the injection",
            ),
            Med("acetaminophen", 1000, per_day=3, start_days=150, reason="Sciatica"),
        ),
        procedures=(
            Procedure(
                "epidural-steroid-injection",
                "low-back",
                150,
                side="left",
                levels="L5-S1",
                approach="transforaminal",
                indication="Left S1 radicular pain concordant with MRI",
                anaesthetic="lidocaine",
                anaesthetic_dose="1 mL 1%",
                steroid="dexamethasone",
                steroid_dose="10 mg",
                relief_percent=70,
                relief_hours=2016,
                function_improved=True,
            ),
        ),
        finalized_plan=True,
    ),
    "Samplesworth": History(  # Derek: radiculopathy; a new intake reports cauda equina symptoms
        months=6,
        onset_days=45,
        side="right",
        course=Course("plateau", peg=(6.7, 6.0), function=(44, 40), phq9=(6, 7), gad7=(7, 8)),
        goals=(
            ("Run the sideline at youth soccer", "sideline-minutes", 90),
            ("Sleep without waking from leg pain", "hours-slept", 7),
        ),
        intake={"imaging": (("mri", "low-back", "L4-L5", ("disc-herniation", "nerve-root-compression")),)},
        exam={"weakness": ["right great toe extension 4/5"]},
        meds=(Med("acetaminophen", 1000, per_day=3, start_days=170, reason="Radicular pain"),),
        new_intake=NewIntake(
            days_ago=1,
            sites=(("low-back", "midline"), ("buttock", "bilateral")),
            red_flags=("saddle-anesthesia", "bladder-dysfunction", "progressive-weakness"),
            narrative="Since the weekend both legs feel weak, the skin between my legs is numb and I "
            "cannot pass water properly.",
            nrs=9,
        ),
    ),
    "Mockingbird-Testa": History(  # Harold: facet pain, two MBBs >= 80% -> RFA planned (Medicare)
        months=11,
        onset_days=540,
        side="bilateral",
        course=Course("plateau", peg=(6.7, 6.3), function=(42, 38), phq9=(6, 6), gad7=(4, 4)),
        goals=(
            ("Work at the bench for an hour", "bench-minutes", 60),
            ("Reach the high shelves without pain", "good-days-per-week", 5),
        ),
        goal_measure=GoalMeasure("work", 20, 25),
        meds=(
            Med("acetaminophen", 1000, per_day=3, start_days=330, reason="Axial low back pain"),
            Med(
                "diclofenac",
                1,
                unit="g",
                per_day=4,
                route="topical",
                start_days=200,
                stop_days=120,
                reason="Axial low back pain",
                stop_reason="No benefit",
            ),
        ),
        procedures=(
            Procedure(
                "medial-branch-block",
                "low-back",
                70,
                side="bilateral",
                levels="L4-L5, L5-S1",
                indication="Axial facet-mediated pain, diagnostic block 1",
                anaesthetic="lidocaine",
                anaesthetic_dose="0.5 mL 2% per level",
                diary=(7, (3, 1, 1, 1, 4, 6, 7)),
            ),
            Procedure(
                "medial-branch-block",
                "low-back",
                42,
                side="bilateral",
                levels="L4-L5, L5-S1",
                indication="Confirmatory block",
                anaesthetic="bupivacaine",
                anaesthetic_dose="0.5 mL 0.5% per level",
                diary=(8, (3, 1, 1, 1, 1, 2, 5)),
            ),
            Procedure(
                "facet-rfa",
                "low-back",
                -21,
                status="planned",
                side="bilateral",
                levels="L4-L5, L5-S1",
                indication="Two concordant medial branch blocks with >= 80% relief",
            ),
        ),
        finalized_plan=True,
    ),
    "Exampleton": History(  # Nadia: facet pain, improving with PT and an exercise programme
        months=9,
        onset_days=240,
        side="bilateral",
        course=Course("improving", peg=(6.0, 2.7), function=(36, 14), phq9=(8, 3), gad7=(9, 4)),
        goals=(("Keep working full days at the clinic", "hours-per-day", 8), _goals("lumbar-facet-pain")[1]),
        meds=(Med("naproxen", 220, per_day=2, prn=True, start_days=250, reason="Flare-ups"),),
    ),
    "Placeholder": History(  # Walter: stenosis, interlaminar ESI with modest relief
        months=10,
        onset_days=400,
        side="bilateral",
        course=Course("plateau", peg=(6.3, 5.7), function=(46, 42), phq9=(5, 6), gad7=(3, 3)),
        goals=(_goals("lumbar-spinal-stenosis")[0], ("Walk the dog two miles again", "walking-minutes", 40)),
        goal_measure=GoalMeasure("life", 8, 12),
        meds=(Med("acetaminophen", 1000, per_day=3, start_days=290, reason="Neurogenic claudication"),),
        procedures=(
            Procedure(
                "epidural-steroid-injection",
                "low-back",
                165,
                side="midline",
                levels="L4-L5",
                approach="interlaminar",
                indication="Neurogenic claudication with central stenosis",
                anaesthetic="lidocaine",
                anaesthetic_dose="2 mL 1%",
                steroid="triamcinolone",
                steroid_dose="40 mg",
                relief_percent=40,
                relief_hours=504,
                function_improved=False,
            ),
        ),
    ),
    "Dummett": History(
        months=6,
        onset_days=365,
        side="bilateral",
        course=Course("improving", peg=(5.7, 2.7), function=(38, 18), phq9=(4, 2), gad7=(3, 2)),
        goals=(
            ("Walk the grandchildren to the bus stop", "walking-minutes", 15),
            _goals("lumbar-spinal-stenosis")[1],
        ),
        meds=(Med("acetaminophen", 650, per_day=3, start_days=140, reason="Low back and thigh pain"),),
    ),
    "Notreal-Brown": History(
        months=8,
        onset_days=300,
        side="right",
        course=Course("improving", peg=(6.3, 2.3), function=(34, 12), phq9=(10, 4), gad7=(9, 3)),
        goals=(
            ("Go back to part-time work", "hours-per-week", 20),
            ("Climb the stairs carrying the baby", "flights-of-stairs", 2),
        ),
        meds=(Med("acetaminophen", 1000, per_day=2, start_days=230, reason="SI joint pain"),),
    ),
    "Fictive": History(
        months=6,
        onset_days=700,
        side="left",
        course=Course("steady", peg=(5.3, 5.0), function=(30, 28), phq9=(4, 4), gad7=(3, 3)),
        goals=_goals("si-joint-pain"),
        meds=(Med("celecoxib", 200, per_day=1, start_days=170, reason="SI joint pain"),),
    ),
    "Testaverde": History(  # Dolores: knee OA, genicular block with relief
        months=12,
        onset_days=2000,
        side="right",
        course=Course("improving", peg=(6.0, 3.0), phq9=(4, 2), gad7=(3, 2)),
        goals=(
            ("Garden for an hour", "gardening-minutes", 60),
            ("Walk with the group without the cane", "walking-minutes", 30),
        ),
        goal_measure=GoalMeasure("life", 10, 30),
        meds=(
            Med(
                "diclofenac",
                2,
                unit="g",
                per_day=4,
                route="topical",
                start_days=340,
                reason="Knee osteoarthritis",
            ),
            Med("acetaminophen", 1000, per_day=3, start_days=340, reason="Knee osteoarthritis"),
        ),
        procedures=(
            Procedure(
                "genicular-nerve-block",
                "knee",
                200,
                side="right",
                guidance="ultrasound",
                indication="Right knee osteoarthritis, before considering RFA",
                anaesthetic="bupivacaine",
                anaesthetic_dose="2 mL 0.5% per nerve",
                diary=(7, (4, 3, 2, 2, 2, 3, 4)),
            ),
        ),
        background=Background(reported=("cardiovascular-disease",)),
    ),
    "Imaginary": History(  # Rupert: knee OA on naproxen with an ACE inhibitor and a diuretic (CKD)
        months=9,
        onset_days=1500,
        side="bilateral",
        course=Course("steady", peg=(6.0, 5.7), phq9=(3, 3), gad7=(2, 2)),
        goals=(
            ("Help at the community garden", "mornings-per-week", 2),
            ("Keep up with the grandchildren at the park", "walking-minutes", 30),
        ),
        meds=(
            Med("naproxen", 500, per_day=2, start_days=120, reason="Knee osteoarthritis"),
            Med("lisinopril", 20, per_day=1, start_days=900, reason="Hypertension, chronic kidney disease"),
            Med("furosemide", 40, per_day=1, start_days=600, reason="Fluid retention"),
            Med(
                "ibuprofen",
                400,
                per_day=3,
                start_days=400,
                stop_days=280,
                reason="Knee pain",
                stop_reason="Stopped by primary care: chronic kidney disease",
            ),
        ),
        background=Background(
            reported=("ckd", "hypertension"), confirmed=("ckd", "hypertension"), egfr=38, egfr_days_ago=45
        ),
    ),
    "Pseudonym": History(  # Aisha: CRPS, sympathetic block, improving
        months=10,
        onset_days=120,
        side="right",
        course=Course("improving", peg=(8.0, 3.0), phq9=(12, 4), gad7=(13, 4)),
        goals=(("Finish the semester", "study-hours-per-day", 6), ("Wear a normal shoe", "shoe-hours", 4)),
        goal_measure=GoalMeasure("life", 0, 4),
        meds=(
            Med(
                "gabapentin",
                300,
                per_day=3,
                start_days=290,
                stop_days=200,
                reason="CRPS",
                stop_reason="Drowsy in lectures",
            ),
            Med("duloxetine", 60, per_day=1, start_days=200, reason="CRPS"),
        ),
        procedures=(
            Procedure(
                "sympathetic-block",
                "low-back",
                230,
                side="right",
                levels="L2-L3",
                indication="CRPS of the right foot",
                anaesthetic="bupivacaine",
                anaesthetic_dose="10 mL 0.25%",
                relief_percent=60,
                relief_hours=72,
                function_improved=True,
            ),
        ),
    ),
    "Madeupson": History(
        months=6,
        onset_days=200,
        side="left",
        course=Course("plateau", peg=(7.0, 6.7), phq9=(11, 10), gad7=(8, 8)),
        goals=(
            ("Return to work as an electrician", "hours-per-day", 8),
            ("Walk barefoot at home", "barefoot-minutes", 10),
        ),
        meds=(Med("pregabalin", 75, per_day=2, start_days=160, reason="CRPS"),),
    ),
    "Hypothetical": History(  # Linnea: fibromyalgia plateau
        months=14,
        onset_days=1450,
        side="bilateral",
        course=Course("plateau", peg=(7.7, 7.0), phq9=(11, 10), gad7=(9, 9)),
        goals=(
            ("No sick days at the accounting firm", "days-worked-per-week", 5),
            ("Swim twice a week again", "swims-per-week", 2),
        ),
        goal_measure=GoalMeasure("life", 0, 0),
        meds=(
            Med(
                "amitriptyline",
                10,
                per_day=1,
                start_days=400,
                stop_days=300,
                reason="Sleep and pain",
                stop_reason="Morning grogginess",
            ),
            Med("duloxetine", 60, per_day=1, start_days=300, reason="Fibromyalgia"),
        ),
    ),
    "Surrogate": History(  # Cora: fibromyalgia with depression; the latest PHQ-9 item 9 is positive
        months=8,
        onset_days=900,
        side="bilateral",
        course=Course("worsening", peg=(5.7, 8.0), phq9=(12, 17), gad7=(10, 12)),
        goals=(
            ("Volunteer at church again", "hours-per-week", 4),
            ("Sing in the choir", "rehearsals-per-month", 4),
        ),
        meds=(Med("sertraline", 100, per_day=1, start_days=700, reason="Depression (primary care)"),),
        phq9_item9_latest=1,
        background=Background(reported=("depression",)),
    ),
    "Pretendly": History(  # Ernest: diabetic neuropathy on duloxetine, improving
        months=13,
        onset_days=700,
        side="bilateral",
        course=Course("improving", peg=(7.0, 3.0), phq9=(7, 3), gad7=(4, 2)),
        goals=(_goals("peripheral-neuropathy")[0], ("Sleep through the night", "hours-slept", 7)),
        goal_measure=GoalMeasure("life", 4, 7),
        meds=(
            Med(
                "duloxetine",
                30,
                per_day=1,
                start_days=380,
                stop_days=340,
                reason="Painful diabetic neuropathy",
                stop_reason="Increased to 60 mg",
            ),
            Med("duloxetine", 60, per_day=1, start_days=340, reason="Painful diabetic neuropathy"),
            Med("metformin", 1000, per_day=2, start_days=3000, reason="Type 2 diabetes"),
            Med(
                "capsaicin",
                8,
                unit="g",
                per_day=1,
                route="topical",
                start_days=200,
                stop_days=150,
                reason="Burning feet",
                stop_reason="Burning on application",
            ),
        ),
        background=Background(
            reported=("diabetes", "ckd"),
            confirmed=("diabetes",),
            egfr=68,
            egfr_days_ago=90,
            ruled_out=(("ckd", "eGFR 68 on recent labs; the 'kidney problem' was a kidney stone in 2019."),),
        ),
    ),
    "Synthetica": History(  # Mabel: neuropathy, worsening
        months=7,
        onset_days=900,
        side="bilateral",
        course=Course("worsening", peg=(6.0, 8.3), phq9=(8, 12), gad7=(7, 10)),
        goals=(("Walk to the mailbox safely", "walking-minutes", 10), _goals("peripheral-neuropathy")[1]),
        intake={
            "therapies": (("gabapentinoid", 4, True, "intolerant"), ("physical-therapy", 6, True, "none"))
        },
        meds=(
            Med("duloxetine", 30, per_day=1, start_days=190, reason="Painful diabetic neuropathy"),
            Med("lidocaine", 5, unit="g", per_day=1, route="topical", start_days=120, reason="Burning feet"),
        ),
        background=Background(reported=("heart-failure", "diabetes")),
    ),
    "Fauxley": History(  # Tessa: migraine, improving on a CGRP preventive
        months=9,
        onset_days=4000,
        side="left",
        course=Course("improving", peg=(6.3, 2.3), phq9=(6, 2), gad7=(8, 3)),
        goals=(
            ("Miss no shifts for migraine", "shifts-missed-per-month", 0),
            ("Fewer than four headache days a month", "headache-days", 4),
        ),
        goal_measure=GoalMeasure("life", 10, 3),
        meds=(
            Med("sumatriptan", 50, per_day=2, prn=True, start_days=260, reason="Acute migraine"),
            Med("atogepant", 60, per_day=1, start_days=200, reason="Migraine prevention"),
            Med(
                "ibuprofen",
                400,
                per_day=3,
                start_days=400,
                stop_days=250,
                reason="Headache",
                stop_reason="Medication-overuse risk; switched to a triptan",
            ),
        ),
        intake={"headache_days": 10},
    ),
    "Inventado": History(  # Omar: chronic migraine with medication overuse, worsening
        months=6,
        onset_days=2500,
        side="bilateral",
        course=Course("worsening", peg=(6.0, 8.3), phq9=(9, 13), gad7=(8, 11)),
        goals=(
            ("Work night shifts without calling in sick", "sick-days-per-month", 1),
            ("Headache-free weekends", "headache-days", 8),
        ),
        intake={"headache_days": 25},
        meds=(
            Med(
                "butalbital-acetaminophen-caffeine",
                None,
                per_day=4,
                start_days=700,
                reason="Headache",
                ingredients=(("butalbital", 50, "mg"), ("acetaminophen", 325, "mg"), ("caffeine", 40, "mg")),
            ),
            Med(
                "topiramate",
                50,
                per_day=2,
                start_days=160,
                stop_days=60,
                reason="Migraine prevention",
                stop_reason="Word-finding difficulty",
            ),
        ),
    ),
    "Notaperson": History(  # Beatrix: metastatic breast cancer, morphine ER + oxycodone IR
        months=6,
        onset_days=90,
        side="right",
        course=Course("improving", peg=(8.0, 3.0), phq9=(8, 4), gad7=(9, 4)),
        goals=(
            ("Keep working on the family history book", "good-hours-per-day", 6),
            ("Travel to the granddaughter's wedding", "walking-minutes", 15),
        ),
        goal_measure=GoalMeasure("life", 3, 15),
        meds=(
            Med("morphine", 30, per_day=2, formulation="er", start_days=150, reason="Metastatic bone pain"),
            Med("oxycodone", 5, per_day=4, prn=True, start_days=150, reason="Breakthrough pain"),
            Med("senna", 8.6, per_day=2, start_days=150, reason="Opioid-induced constipation"),
            Med(
                "naloxone",
                4,
                per_day=1,
                prn=True,
                route="intranasal",
                start_days=150,
                reason="Overdose rescue",
            ),
        ),
        checks=(
            Check("treatment-agreement", 150),
            Check("naloxone-dispensed", 150),
            Check("pdmp-reviewed", 30),
            Check("opioid-reassessed", 30),
        ),
        background=Background(reported=("cancer-active",)),
    ),
    "Stand-In": History(  # Lionel: pancreatic cancer pain
        months=6,
        onset_days=60,
        side="midline",
        course=Course("steady", peg=(7.0, 6.3), phq9=(7, 8), gad7=(6, 7)),
        goals=(_goals("cancer-pain")[0], ("Eat a meal with the family", "meals-per-day", 2)),
        intake={
            "sites": (("abdomen", "midline"), ("thoracic-back", "midline")),
            "imaging": (("ct", "abdomen", "", ("lesion",)),),
        },
        meds=(
            Med("morphine", 15, per_day=4, prn=True, start_days=140, reason="Cancer pain"),
            Med("docusate", 100, per_day=2, start_days=140, reason="Constipation"),
        ),
        checks=(Check("opioid-reassessed", 20), Check("pdmp-reviewed", 140)),
        background=Background(reported=("cancer-active",)),
    ),
    "Counterfeit": History(  # Greta: post-mastectomy pain; a new intake reports new mid-back pain
        months=7,
        onset_days=240,
        side="right",
        course=Course("improving", peg=(6.7, 3.0), phq9=(6, 3), gad7=(7, 3)),
        goals=(("Teach a full day", "hours-per-day", 7), ("Wear a bra all day", "comfortable-hours", 12)),
        meds=(
            Med(
                "lidocaine", 5, unit="g", per_day=1, route="topical", start_days=200, reason="Chest wall pain"
            ),
            Med("duloxetine", 30, per_day=1, start_days=180, reason="Neuropathic chest wall pain"),
        ),
        intake={"events": (("surgery", "chest-wall"), ("cancer-diagnosis", "chest-wall"))},
        red_flags=("cancer-history",),
        new_intake=NewIntake(
            days_ago=2,
            sites=(("chest-wall", "right"), ("thoracic-back", "midline")),
            red_flags=("cancer-history", "night-pain-at-rest"),
            narrative="A new ache in the middle of my back for three weeks; it wakes me at night and "
            "lying down does not help.",
            nrs=6,
        ),
    ),
    "Placebo": History(
        months=6,
        onset_days=365,
        side="left",
        course=Course("plateau", peg=(6.0, 5.7), phq9=(5, 6), gad7=(5, 5)),
        goals=(
            ("Drive a full bus shift", "hours-per-day", 8),
            ("Lift the grandchildren", "good-days-per-week", 5),
        ),
        intake={
            "sites": (("pelvis", "left"),),
            "radiation": ("groin", "thigh"),
            "events": (("surgery", "pelvis"),),
        },
        meds=(Med("gabapentin", 300, per_day=3, start_days=160, reason="Post-herniorrhaphy neuralgia"),),
    ),
    "Simulacra": History(
        months=10,
        onset_days=1100,
        side="midline",
        course=Course("improving", peg=(6.7, 3.0), phq9=(10, 4), gad7=(11, 4)),
        goals=_goals("pelvic-pain"),
        meds=(Med("amitriptyline", 25, per_day=1, start_days=280, reason="Chronic pelvic pain"),),
    ),
    "Exemplar": History(
        months=6,
        onset_days=730,
        side="midline",
        course=Course("steady", peg=(5.7, 5.3), phq9=(9, 8), gad7=(10, 9)),
        goals=(("Sit through a working day", "sitting-minutes", 90), _goals("pelvic-pain")[1]),
    ),
    "Notional": History(  # Hiro: cervical radiculopathy, ESI, improving
        months=8,
        onset_days=90,
        side="right",
        course=Course("improving", peg=(6.7, 2.0), function=(24, 4), phq9=(7, 2), gad7=(10, 3)),
        goals=(
            ("Play with the orchestra again", "practice-minutes", 60),
            _goals("cervical-radiculopathy")[1],
        ),
        goal_measure=GoalMeasure("work", 10, 60),
        meds=(
            Med(
                "prednisone",
                10,
                per_day=1,
                start_days=240,
                stop_days=230,
                reason="Acute radicular pain",
                stop_reason="Short course completed",
            ),
            Med("acetaminophen", 1000, per_day=2, start_days=230, reason="Neck and arm pain"),
        ),
        procedures=(
            Procedure(
                "epidural-steroid-injection",
                "neck",
                170,
                side="right",
                levels="C6-C7",
                approach="interlaminar",
                indication="Right C6 radiculopathy concordant with MRI",
                anaesthetic="lidocaine",
                anaesthetic_dose="1 mL 1%",
                steroid="dexamethasone",
                steroid_dose="10 mg",
                relief_percent=65,
                relief_hours=1500,
                function_improved=True,
            ),
        ),
    ),
    "Shingleford": History(
        months=9,
        onset_days=180,
        side="left",
        course=Course("improving", peg=(6.3, 3.0), phq9=(5, 3), gad7=(4, 2)),
        goals=_goals("postherpetic-neuralgia"),
        meds=(
            Med(
                "lidocaine",
                5,
                unit="g",
                per_day=1,
                route="topical",
                start_days=260,
                reason="Postherpetic neuralgia",
            ),
            Med("nortriptyline", 10, per_day=1, start_days=200, reason="Postherpetic neuralgia"),
        ),
    ),
    "Redo": History(  # Franklin: post-laminectomy, oxycodone 10 mg x4 + lorazepam, SCS trial, plateau
        months=20,
        onset_days=1400,
        side="right",
        course=Course("plateau", peg=(7.7, 7.0), function=(54, 50), phq9=(11, 11), gad7=(10, 10)),
        goals=_goals("post-laminectomy-syndrome"),
        meds=(
            Med(
                "oxycodone",
                10,
                per_day=4,
                start_days=580,
                reason="Chronic back and leg pain (long-term therapy)",
            ),
            Med("lorazepam", 1, per_day=2, start_days=500, reason="Anxiety (outside prescriber)"),
            Med(
                "gabapentin",
                600,
                per_day=3,
                start_days=560,
                stop_days=400,
                reason="Radicular pain",
                stop_reason="No benefit after 16 weeks; sedation with the opioid",
            ),
            Med(
                "hydrocodone-acetaminophen",
                None,
                per_day=6,
                start_days=900,
                stop_days=580,
                reason="Back pain after surgery",
                stop_reason="Rotated to oxycodone",
                ingredients=(("hydrocodone", 10, "mg"), ("acetaminophen", 325, "mg")),
            ),
        ),
        checks=(
            Check("treatment-agreement", 560),
            Check("urine-drug-test", 400, "Expected oxycodone; no other findings"),
            Check("pdmp-reviewed", 230),
            Check("opioid-reassessed", 160),
        ),
        procedures=(
            Procedure(
                "scs-trial",
                "low-back",
                30,
                side="midline",
                levels="T8-T10",
                indication="Post-laminectomy syndrome with predominant leg pain; psychology clearance",
                relief_percent=60,
                relief_hours=168,
                function_improved=True,
            ),
        ),
        last_assessed_days=45,
        background=Background(reported=("anxiety",), confirmed=("anxiety",), psych_cleared_days_ago=75),
    ),
    "Decoy": History(
        months=6,
        onset_days=500,
        side="left",
        course=Course("steady", peg=(6.0, 5.3), function=(36, 32), phq9=(6, 5), gad7=(5, 5)),
        goals=(
            ("Work full days at the standing desk", "hours-per-day", 8),
            _goals("post-laminectomy-syndrome")[1],
        ),
        meds=(Med("pregabalin", 75, per_day=2, start_days=150, reason="Neuropathic leg pain"),),
    ),
    # --- Northgate ---------------------------------------------------------------------------------
    "Otherclinic": History(
        months=6,
        onset_days=42,
        side="left",
        course=Course("improving", peg=(6.7, 2.0), function=(40, 12), phq9=(4, 2), gad7=(5, 2)),
        goals=(("Bake through the morning shift", "shift-hours", 6), _goals("lumbar-radiculopathy")[1]),
        meds=(
            Med(
                "naproxen",
                500,
                per_day=2,
                start_days=180,
                stop_days=120,
                reason="Sciatica",
                stop_reason="Pain settled",
            ),
        ),
    ),
    "Elsewhere": History(  # Ingrid: knee OA on apixaban (no NSAID)
        months=8,
        onset_days=1200,
        side="left",
        course=Course("steady", peg=(5.3, 5.0), phq9=(3, 3), gad7=(2, 2)),
        goals=(
            ("Keep volunteering at the library", "mornings-per-week", 2),
            _goals("knee-osteoarthritis")[1],
        ),
        meds=(
            Med("apixaban", 5, per_day=2, start_days=1500, reason="Atrial fibrillation"),
            Med("acetaminophen", 1000, per_day=3, start_days=230, reason="Knee osteoarthritis"),
        ),
        background=Background(reported=("diabetes",)),
    ),
    "Farside": History(
        months=7,
        onset_days=2000,
        side="left",
        course=Course("improving", peg=(5.7, 2.3), phq9=(5, 2), gad7=(6, 2)),
        goals=_goals("migraine"),
        intake={"headache_days": 6},
        meds=(Med("rizatriptan", 10, per_day=2, prn=True, start_days=200, reason="Acute migraine"),),
    ),
    "Nonesuch": History(  # Olive: fibromyalgia, reassessment overdue
        months=16,
        onset_days=1800,
        side="bilateral",
        course=Course("plateau", peg=(6.7, 6.3), phq9=(8, 8), gad7=(6, 6)),
        goals=_goals("fibromyalgia"),
        meds=(Med("duloxetine", 30, per_day=1, start_days=420, reason="Fibromyalgia"),),
        last_assessed_days=120,
    ),
}

# Lines of a structured note by visit type (the assessment names the condition).
NOTE_HISTORY = {
    "new-consult": "History from the submitted intake reviewed with the patient; red flags screened.",
    "follow-up": "Interval history: pain, function, sleep and mood since the last visit; medicines reviewed.",
    "telehealth": "Video visit: interval history and medicines reviewed; no new warning signs.",
    "procedure": "Pre-procedure check: consent, allergies and anticoagulants reviewed; pain score recorded.",
}
NOTE_PLAN = {
    "new-consult": "Education and a stepped plan agreed; questionnaires to repeat every 4-8 weeks.",
    "follow-up": "Continue the plan; adjust as agreed; repeat the questionnaires at the next visit.",
    "telehealth": "Continue the plan; follow up in clinic.",
    "procedure": "Pain diary after the procedure; review the response at follow-up.",
}
