"""What the patient reads: plain-language labels for the contract's codes and the intake's steps.

Codes come from stepcare.clinical.vocab; a test checks that every code has its wording here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

STEPS: Final[tuple[tuple[str, str], ...]] = (
    ("pain", "About your pain"),
    ("where", "Where it hurts"),
    ("warning-signs", "Warning signs"),
    ("health", "Your health"),
    ("daily-life", "Sleep, mood and work"),
    ("imaging", "Scans and reports"),
    ("medicines", "Medicines tried"),
    ("therapies", "Treatments tried"),
    ("goals", "Your goals"),
    ("questionnaires", "Questionnaires"),
    ("review", "Review and send"),
)
STEP_SLUGS: Final = tuple(slug for slug, _ in STEPS)
STEP_TITLES: Final = dict(STEPS)

REGION_LABELS: Final = {
    "low-back": "Lower back",
    "neck": "Neck",
    "thoracic-back": "Upper and middle back",
    "buttock": "Buttock",
    "hip": "Hip",
    "knee": "Knee",
    "shoulder": "Shoulder",
    "elbow": "Elbow",
    "wrist-hand": "Wrist and hand",
    "ankle-foot": "Ankle and foot",
    "head": "Head",
    "face": "Face or jaw",
    "pelvis": "Pelvis or groin",
    "abdomen": "Belly (abdomen)",
    "chest-wall": "Chest or ribs",
    "widespread": "All over (widespread)",
}
SIDE_LABELS: Final = {"left": "Left", "right": "Right", "bilateral": "Both sides", "midline": "Middle"}

# Regions with a left and a right; the others sit on the midline. `widespread` has no side.
LATERAL_REGIONS: Final = frozenset(
    {"buttock", "hip", "knee", "shoulder", "elbow", "wrist-hand", "ankle-foot", "chest-wall"}
)
NO_SIDE_REGIONS: Final = frozenset({"widespread"})

RADIATION_LABELS: Final = {
    "buttock": "Into the buttock",
    "thigh": "Down the thigh",
    "below-knee": "Below the knee",
    "foot": "Into the foot",
    "arm": "Down the arm",
    "below-elbow": "Below the elbow",
    "hand": "Into the hand or fingers",
    "scalp": "Over the scalp",
    "groin": "Into the groin",
}

QUALITY_LABELS: Final = {
    "aching": "Aching",
    "burning": "Burning",
    "electric": "Like an electric shock",
    "shooting": "Shooting",
    "stabbing": "Stabbing",
    "throbbing": "Throbbing",
    "numbness": "Numb",
    "tingling": "Tingling or pins and needles",
    "cramping": "Cramping",
    "pressure": "Pressure or squeezing",
    "allodynia": "Even a light touch hurts",
}

SYMPTOM_LABELS: Final = {
    "swelling": "Swelling",
    "color-change": "Skin colour changes",
    "temperature-change": "The area feels hotter or colder",
    "sweating-change": "Sweating changes in the area",
    "stiffness": "Stiffness",
    "weakness": "Weakness",
    "hair-nail-change": "Hair or nail changes in the area",
    "fatigue": "Tiredness most days",
    "unrefreshing-sleep": "Waking up unrefreshed",
    "cognitive-problems": "Trouble thinking or remembering",
    "nausea": "Feeling sick (nausea)",
    "photophobia": "Light bothers me",
    "phonophobia": "Noise bothers me",
    "aura": "Warning signs before a headache (flashing lights, zigzags)",
    "morning-stiffness": "Stiff in the morning",
}

MODIFIER_LABELS: Final = {
    "standing": "Standing",
    "sitting": "Sitting",
    "walking": "Walking",
    "lying": "Lying down",
    "flexion": "Bending forward",
    "extension": "Leaning back or looking up",
    "rotation": "Twisting or turning",
    "cough-sneeze": "Coughing or sneezing",
    "lifting": "Lifting",
    "transitions": "Getting up or changing position",
    "touch": "Touch",
    "cold": "Cold",
    "activity": "Being active",
    "rest": "Resting",
    "night": "At night",
    "morning": "In the morning",
}

EVENT_LABELS: Final = {
    "injury": "An injury or accident",
    "surgery": "An operation",
    "fracture": "A broken bone",
    "zoster": "Shingles",
    "cancer-diagnosis": "A cancer diagnosis",
    "pregnancy": "Pregnancy or giving birth",
}

MODALITY_LABELS: Final = {"xray": "X-ray", "mri": "MRI", "ct": "CT scan", "emg-ncs": "Nerve test (EMG/NCS)"}

UNIT_LABELS: Final = {"mg": "mg", "mcg": "mcg", "mcg/hr": "mcg/hr (patch)", "g": "g"}

RESPONSE_LABELS: Final = {
    "good": "Helped a lot",
    "partial": "Helped a little",
    "none": "Did not help",
    "intolerant": "Had to stop (side effects)",
}

# Treatments a patient can recognise, by plan step code; labels in the patient's words.
THERAPY_LABELS: Final = {
    "physical-therapy": "Physical therapy (physiotherapy)",
    "home-exercise": "Exercises at home",
    "graded-activity": "Gradually doing more activity",
    "occupational-therapy": "Occupational therapy",
    "cbt": "Talking therapy for pain (CBT)",
    "mindfulness": "Mindfulness or relaxation training",
    "heat-cold": "Heat or ice packs",
    "pelvic-floor-therapy": "Pelvic floor therapy",
    "weight-management": "Weight-management programme",
    "epidural-steroid-injection": "Epidural steroid injection",
    "medial-branch-block": "Facet (medial branch) nerve block",
    "facet-rfa": "Facet radiofrequency ablation",
    "si-joint-injection": "Sacroiliac joint injection",
    "joint-injection-corticosteroid": "Steroid injection into a joint",
    "trigger-point-injection": "Trigger point injection",
    "occipital-nerve-block": "Occipital nerve block",
    "genicular-nerve-block": "Knee (genicular) nerve block",
    "hyaluronic-acid-injection": "Gel (hyaluronic acid) injection into the knee",
    "botulinum-toxin": "Botox injections",
    "scs-trial": "Spinal cord stimulator trial",
}

# The contract's patient.conditions, in the patient's words ("Your health" step). `pregnancy` is asked as
# its own question (PREGNANT_QUESTION → patient.pregnant), so it is not a checkbox as well.
CONDITION_LABELS: Final = {
    "ckd": "Kidney disease (kidneys that do not work fully)",
    "peptic-ulcer": "A stomach ulcer, now or in the past",
    "gi-bleed-history": "Bleeding from the stomach or bowel in the past",
    "heart-failure": "Heart failure (a weak heart pump)",
    "cardiovascular-disease": "Heart disease, a heart attack or a stroke",
    "hypertension": "High blood pressure",
    "diabetes": "Diabetes (high blood sugar)",
    "depression": "Depression",
    "anxiety": "Anxiety",
    "sleep-apnea": "Sleep apnoea (breathing stops during sleep)",
    "copd": "COPD or emphysema (long-term lung disease)",
    "substance-use-disorder": "A problem with drugs or medicines, now or in the past",
    "opioid-use-disorder": "A problem with opioid painkillers or heroin, now or in the past",
    "overdose-history": "An overdose in the past",
    "alcohol-use-disorder": "A problem with alcohol, now or in the past",
    "cancer-active": "Cancer that is being treated now",
    "bleeding-disorder": "A bleeding problem (you bleed or bruise very easily)",
}
HEALTH_ASKED_SEPARATELY: Final = frozenset({"pregnancy"})
PREGNANT_QUESTION: Final = "Are you pregnant now?"
LIVER_QUESTION: Final = "Do you have a liver problem?"
LIVER_LABELS: Final = {
    "none": "No liver problem that I know of",
    "mild": "A mild liver problem (for example fatty liver, or hepatitis that is under control)",
    "severe": "Serious liver disease (for example cirrhosis or liver failure)",
}

WORK_STATUS_LABELS: Final = {
    "full-time": "Working full time",
    "part-time": "Working part time or reduced hours",
    "off-work-pain": "Off work because of pain",
    "unemployed": "Not working",
    "retired": "Retired",
    "student": "Student",
    "caring": "Caring for family or home",
}
SLEEP_QUALITY_LABELS: Final = {"good": "Good", "fair": "Fair", "poor": "Poor"}
MOOD_LABELS: Final = {
    "good": "Mostly good",
    "low-sometimes": "Low some of the time",
    "low-often": "Low most of the time",
}


@dataclass(frozen=True, slots=True)
class RedFlagQuestion:
    code: str
    question: str
    # Asked only when one of these regions is marked; empty = always asked.
    regions: frozenset[str] = frozenset()


_HEAD = frozenset({"head", "face", "neck"})

RED_FLAG_QUESTIONS: Final[tuple[RedFlagQuestion, ...]] = (
    RedFlagQuestion(
        "saddle-anesthesia",
        "Numbness between your legs or around your bottom (the area that would touch a saddle)?",
    ),
    RedFlagQuestion(
        "bladder-dysfunction",
        "New trouble passing urine, not feeling when your bladder is full, or leaking urine?",
    ),
    RedFlagQuestion("bowel-incontinence", "New loss of control of your bowels, or not feeling when you go?"),
    RedFlagQuestion(
        "progressive-weakness",
        "Weakness in your legs or arms that is getting worse (for example tripping or dropping things)?",
    ),
    RedFlagQuestion("fever", "A fever, chills or night sweats along with the pain?"),
    RedFlagQuestion("iv-drug-use", "Have you ever injected drugs into a vein?"),
    RedFlagQuestion(
        "immunosuppression",
        "A weakened immune system (for example HIV, transplant medicines, chemotherapy)?",
    ),
    RedFlagQuestion(
        "recent-infection",
        "A recent infection treated with antibiotics (for example urine, skin or chest infection)?",
    ),
    RedFlagQuestion("cancer-history", "Have you ever had cancer?"),
    RedFlagQuestion("unexplained-weight-loss", "Have you lost weight recently without trying?"),
    RedFlagQuestion(
        "night-pain-at-rest",
        "Pain at night that does not ease with rest or changing position and wakes you up?",
    ),
    RedFlagQuestion(
        "major-trauma",
        "Did the pain start after a serious accident, such as a car crash or a fall from a height?",
    ),
    RedFlagQuestion("osteoporosis", "Have you been told you have thin or weak bones (osteoporosis)?"),
    RedFlagQuestion(
        "long-term-steroids",
        "Have you taken steroid tablets (such as prednisone) for more than three months?",
    ),
    RedFlagQuestion(
        "thunderclap-headache",
        "A sudden, severe headache that reached its worst within a minute (like a thunderclap)?",
        _HEAD,
    ),
    RedFlagQuestion(
        "headache-neuro-deficit",
        "Headache with new weakness, numbness, confusion, trouble speaking or loss of vision?",
        _HEAD,
    ),
)

# What the patient reads beside the triage action (the action itself comes from the engine).
TRIAGE_PATIENT_LINES: Final = {
    "emergency": "Go to the emergency department now, or call 911. Do not wait for your clinic appointment.",
    "urgent": "Call the clinic today; we will arrange a same-day assessment. "
    "If you get worse before then, go to the emergency department or call 911.",
}
CRISIS_LINE: Final = (
    "If you are thinking about harming yourself, please call or text 988 (Suicide & Crisis Lifeline) "
    "now, or call 911. You can also tell the clinic staff at any time."
)


def red_flag_questions_for(regions: set[str]) -> tuple[RedFlagQuestion, ...]:
    """The questions relevant to the marked regions; with no regions marked, all of them."""
    if not regions or "widespread" in regions:
        return RED_FLAG_QUESTIONS
    return tuple(q for q in RED_FLAG_QUESTIONS if not q.regions or q.regions & regions)


def site_label(region: str, side: str | None) -> str:
    label = REGION_LABELS[region]
    if side in (None, "midline"):
        return label
    if side == "bilateral":
        return f"{label}, both sides"
    return f"{SIDE_LABELS[side]} {label.lower()}"
