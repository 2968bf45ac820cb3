"""The case vocabularies of the engine contract (shared/spec/engine-contract.md).

Codes are kebab-case. A case may use only these; extending a list is a code change with a test.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Region = Literal[
    "low-back", "neck", "thoracic-back", "buttock", "hip", "knee", "shoulder", "elbow", "wrist-hand",
    "ankle-foot", "head", "face", "pelvis", "abdomen", "chest-wall", "widespread",
]  # fmt: skip
Side = Literal["left", "right", "bilateral", "midline"]
Radiation = Literal["buttock", "thigh", "below-knee", "foot", "arm", "below-elbow", "hand", "scalp", "groin"]
Quality = Literal[
    "aching", "burning", "electric", "shooting", "stabbing", "throbbing", "numbness", "tingling",
    "cramping", "pressure", "allodynia",
]  # fmt: skip
Symptom = Literal[
    "swelling", "color-change", "temperature-change", "sweating-change", "stiffness", "weakness",
    "hair-nail-change", "fatigue", "unrefreshing-sleep", "cognitive-problems", "nausea", "photophobia",
    "phonophobia", "aura", "morning-stiffness",
]  # fmt: skip
Modifier = Literal[
    "standing", "sitting", "walking", "lying", "flexion", "extension", "rotation", "cough-sneeze",
    "lifting", "transitions", "touch", "cold", "activity", "rest", "night", "morning",
]  # fmt: skip
RedFlag = Literal[
    "saddle-anesthesia", "bladder-dysfunction", "bowel-incontinence", "progressive-weakness", "fever",
    "iv-drug-use", "immunosuppression", "recent-infection", "cancer-history", "unexplained-weight-loss",
    "night-pain-at-rest", "major-trauma", "osteoporosis", "long-term-steroids", "thunderclap-headache",
    "headache-neuro-deficit",
]  # fmt: skip
Condition = Literal[
    "ckd", "peptic-ulcer", "gi-bleed-history", "heart-failure", "cardiovascular-disease", "hypertension",
    "diabetes", "depression", "anxiety", "sleep-apnea", "copd", "substance-use-disorder",
    "opioid-use-disorder", "overdose-history", "alcohol-use-disorder", "cancer-active", "pregnancy",
    "bleeding-disorder",
]  # fmt: skip
Sex = Literal["female", "male", "other", "unknown"]
LiverDisease = Literal["none", "mild", "severe"]
EventKind = Literal["surgery", "injury", "fracture", "zoster", "cancer-diagnosis", "pregnancy"]
Modality = Literal["xray", "mri", "ct", "emg-ncs"]
ImagingFinding = Literal[
    "normal", "disc-herniation", "nerve-root-compression", "foraminal-stenosis", "central-stenosis",
    "facet-arthropathy", "spondylolisthesis", "degenerative-disc", "fracture", "lesion", "osteoarthritis",
    "neuropathy", "radiculopathy",
]  # fmt: skip
DiagnosisCode = Literal[
    "lumbar-radiculopathy", "lumbar-spinal-stenosis", "lumbar-facet-pain", "si-joint-pain",
    "nonspecific-low-back-pain", "cervical-radiculopathy", "cervical-facet-pain", "myofascial-pain",
    "knee-osteoarthritis", "hip-osteoarthritis", "shoulder-tendinopathy", "crps", "fibromyalgia",
    "peripheral-neuropathy", "postherpetic-neuralgia", "trigeminal-neuralgia", "occipital-neuralgia",
    "migraine", "cancer-pain", "persistent-postsurgical-pain", "post-laminectomy-syndrome", "pelvic-pain",
]  # fmt: skip
Unit = Literal["mg", "mcg", "mcg/hr", "g"]
Route = Literal[
    "oral", "transdermal", "buccal", "sublingual", "intranasal", "intravenous", "intramuscular",
    "subcutaneous", "rectal", "topical", "injection",
]  # fmt: skip
Formulation = Literal["ir", "er"]
TherapyResponse = Literal["none", "partial", "good", "intolerant"]
GoalKind = Literal["work", "life"]

StepCode = Literal[
    # tier 1
    "education", "graded-activity", "heat-cold", "sleep-hygiene", "weight-management", "home-exercise",
    # tier 2
    "physical-therapy", "occupational-therapy", "cbt", "mindfulness", "pelvic-floor-therapy",
    "desensitization-therapy",
    # tier 3
    "acetaminophen", "nsaid-oral", "nsaid-topical", "lidocaine-topical", "duloxetine", "tca",
    "gabapentinoid", "muscle-relaxant", "carbamazepine", "oxcarbazepine", "tramadol", "capsaicin-topical",
    "triptan", "gepant", "botulinum-toxin", "cgrp-preventive", "opioid-short-course",
    "snri", "opioid-cancer-pain",
    # tier 4
    "epidural-steroid-injection", "selective-nerve-root-block", "medial-branch-block", "facet-rfa",
    "si-joint-injection", "si-lateral-branch-rfa", "genicular-nerve-block", "genicular-rfa",
    "joint-injection-corticosteroid", "hyaluronic-acid-injection", "trigger-point-injection",
    "occipital-nerve-block", "sympathetic-block", "prp-injection",
    # tier 5
    "scs-trial", "scs-implant", "drg-stimulation-trial", "intrathecal-pump",
    # referral
    "emergency-referral", "surgical-referral", "neurology-referral", "psychology-referral",
    "oncology-coordination",
    # diagnostic
    "xray", "mri", "ct", "emg-ncs", "labs",
]  # fmt: skip

TriageLevel = Literal["emergency", "urgent", "routine"]
Chronicity = Literal["acute", "subacute", "chronic"]
Mechanism = Literal["nociceptive", "neuropathic", "nociplastic", "mixed"]
Severity = Literal["info", "warning", "high"]
OutcomeStatus = Literal["improving", "meaningful-improvement", "plateau", "worsening", "insufficient-data"]
Tier = Literal[1, 2, 3, 4, 5, "referral", "diagnostic"]

REGIONS: Final = frozenset(get_args(Region))
RED_FLAGS: Final = frozenset(get_args(RedFlag))
CONDITIONS: Final = frozenset(get_args(Condition))
DIAGNOSIS_CODES: Final[tuple[str, ...]] = get_args(DiagnosisCode)
STEP_CODES: Final[tuple[str, ...]] = get_args(StepCode)
