"""Synthetic demo data for `manage.py seed_demo`: two clinics, staff for each role, 32 invented patients.

Every person here is fictional; family names are deliberately implausible so nobody mistakes a demo
chart for a real one. Visit dates count back from the day the command runs (demo_clinical.visit_days,
from each patient's time in care in demo_history.py), so the data is the same relative to that day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

RANDOM_SEED = 2026
DEMO_PASSWORD = "stepcare-demo"  # noqa: S105 - published demo credential, demo/dev data only

PRIMARY_CLINIC_SLUG = "riverside"


@dataclass(frozen=True)
class DemoClinic:
    slug: str
    name: str
    timezone: str


CLINICS = (
    DemoClinic("riverside", "Riverside Pain & Spine Center", "America/Chicago"),
    DemoClinic("northgate", "Northgate Pain Clinic", "America/New_York"),
)


@dataclass(frozen=True)
class DemoPlan:
    key: str
    name: str
    payer: str
    referral_required: bool
    visits_allowed_per_year: int | None


INSURANCE_PLANS = (
    DemoPlan("medicare", "Medicare Part B", "Centers for Medicare & Medicaid Services", False, None),
    DemoPlan("commercial", "BlueHarbor PPO Select", "BlueHarbor Health (fictional)", True, 20),
    DemoPlan("medicaid", "State Medicaid Managed Care", "State Medicaid agency", False, None),
)


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    role: str
    clinic: str
    credential: str = ""
    discipline: str = ""


STAFF = (
    DemoStaff("dr.reyes", "Elena", "Reyes", "physician", "riverside"),
    DemoStaff("nurse.kim", "Jordan", "Kim", "nurse", "riverside", credential="RN"),
    DemoStaff("frontdesk.lee", "Sam", "Lee", "front_desk", "riverside"),
    DemoStaff("pt.okafor", "Chidi", "Okafor", "therapist", "riverside", discipline="PT"),
    DemoStaff("admin.shah", "Priya", "Shah", "clinic_admin", "riverside"),
    DemoStaff("dr.berg", "Tomas", "Berg", "physician", "northgate"),
)


@dataclass(frozen=True)
class DemoPatient:
    clinic: str
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    sex: str
    condition: str
    presenting_problem: str
    story: str
    insurance: str
    visits: int  # 2-4 encounters; the last one is an unsigned draft
    login: str = ""  # username of a portal login, if this patient has one
    seen_today: bool = False  # the draft visit is today, so the dashboard has content


D = datetime.date

PATIENTS = (
    DemoPatient(
        "riverside",
        "Marisol",
        "Fakename-Ortiz",
        D(1968, 3, 14),
        "female",
        "lumbar-radiculopathy",
        "Sciatica: left leg pain below the knee for 9 weeks",
        "Marisol lifted a heavy box at the warehouse where she works and felt a pop in her lower back. Two "
        "days later a burning, electric pain shot down the back of her left leg to the outer foot. Coughing "
        "makes it worse; sitting for more than twenty minutes is hard. Six weeks of physical therapy and "
        "naproxen took the edge off, but she still cannot drive to work, and she wants to know whether an "
        "injection could help her get back to full shifts.",
        "commercial",
        3,
        login="patient.marisol",
        seen_today=True,
    ),
    DemoPatient(
        "riverside",
        "Derek",
        "Samplesworth",
        D(1979, 11, 2),
        "male",
        "lumbar-radiculopathy",
        "Right L5 radicular pain after a fall on ice",
        "Derek slipped on an icy step in January. Since then a shooting pain runs from his right buttock "
        "to the top of his foot, with tingling in the big toe. His MRI shows an L4-5 disc herniation "
        "touching the right L5 root. He coaches youth soccer and his goal is to run the sideline again by "
        "spring; he is wary of medicines that make him drowsy.",
        "medicare",
        2,
    ),
    DemoPatient(
        "riverside",
        "Harold",
        "Mockingbird-Testa",
        D(1951, 7, 22),
        "male",
        "lumbar-facet-pain",
        "Axial low back pain, worse leaning back",
        "Harold is a retired carpenter with a dull ache across his low back that is worst in the morning "
        "and when he leans back to reach a high shelf. It does not travel into his legs. Standing at the "
        "workbench for an hour now leaves him stiff for the evening. He did a home exercise programme for "
        "three months and takes acetaminophen; he asks about 'the nerve burning procedure' his neighbour had.",
        "medicare",
        4,
        seen_today=True,
    ),
    DemoPatient(
        "riverside",
        "Nadia",
        "Exampleton",
        D(1985, 1, 9),
        "female",
        "lumbar-facet-pain",
        "Low back pain on extension and rotation for 8 months",
        "Nadia is a dental hygienist who spends her days twisted over a chair. Her low back pain is on both "
        "sides of the spine, worse with twisting and standing, better lying down. She has no leg symptoms. "
        "Physical therapy helped her posture but not the pain, and she worries about losing her job.",
        "commercial",
        3,
    ),
    DemoPatient(
        "riverside",
        "Walter",
        "Placeholder",
        D(1945, 5, 30),
        "male",
        "lumbar-spinal-stenosis",
        "Leg heaviness when walking, relieved by sitting (neurogenic claudication)",
        "Walter used to walk his dog two miles every morning. Now after two blocks both legs feel heavy and "
        "numb, and he has to sit on a bench until it passes. Leaning on a shopping cart lets him walk the "
        "whole supermarket. His pulses are normal. His MRI shows moderate-to-severe central stenosis at L4-5. "
        "He would like to avoid surgery if he can.",
        "medicare",
        3,
        login="patient.walter",
        seen_today=True,
    ),
    DemoPatient(
        "riverside",
        "Gloria",
        "Dummett",
        D(1949, 9, 17),
        "female",
        "lumbar-spinal-stenosis",
        "Bilateral buttock and thigh pain with walking",
        "Gloria has had low back stiffness for years, but in the last year walking more than ten minutes "
        "brings on an aching in both buttocks and thighs that eases when she bends forward or sits. She "
        "cares for her grandchildren after school and finds the walk to the bus stop hard.",
        "medicaid",
        2,
    ),
    DemoPatient(
        "riverside",
        "Keisha",
        "Notreal-Brown",
        D(1990, 4, 3),
        "female",
        "si-joint-pain",
        "Right buttock pain since pregnancy",
        "Keisha's pain began in the third trimester of her second pregnancy and never settled. It sits below "
        "the right dimple of the low back, spreads into the buttock, and flares when she climbs stairs or "
        "rolls over in bed. Several provocation tests reproduced her pain at her last exam. She has a "
        "toddler and a newborn and has little time for appointments.",
        "medicaid",
        3,
    ),
    DemoPatient(
        "riverside",
        "Brent",
        "Fictive",
        D(1972, 8, 28),
        "male",
        "si-joint-pain",
        "Left sacroiliac pain after lumbar fusion",
        "Brent had an L4-S1 fusion three years ago. His leg pain resolved, but a new pain developed over the "
        "left sacroiliac joint, worse when sitting on the left buttock and when getting out of the car. "
        "He drives a delivery route and is sitting most of the day.",
        "commercial",
        2,
    ),
    DemoPatient(
        "riverside",
        "Dolores",
        "Testaverde",
        D(1956, 2, 11),
        "female",
        "knee-osteoarthritis",
        "Right knee pain, worse on stairs",
        "Dolores has had right knee pain for six years. It is worse going down stairs and after gardening, "
        "with stiffness for a few minutes in the morning. X-rays show moderate medial joint space narrowing. "
        "Her surgeon suggested a knee replacement but her heart condition makes her want to wait. She has "
        "lost 15 pounds with a walking group and uses a cane on bad days.",
        "medicare",
        4,
        seen_today=True,
    ),
    DemoPatient(
        "riverside",
        "Rupert",
        "Imaginary",
        D(1960, 12, 5),
        "male",
        "knee-osteoarthritis",
        "Bilateral knee osteoarthritis limiting walking",
        "Rupert is a retired mail carrier with aching in both knees that limits him to about fifteen minutes "
        "of walking. He has chronic kidney disease, so his primary care doctor stopped his ibuprofen. He "
        "wants to keep up with his grandchildren at the park.",
        "medicare",
        3,
    ),
    DemoPatient(
        "riverside",
        "Aisha",
        "Pseudonym",
        D(1988, 6, 19),
        "female",
        "crps",
        "Burning right foot pain after an ankle fracture (CRPS)",
        "Aisha broke her right ankle playing volleyball and spent six weeks in a cast. When the cast came "
        "off, her foot was swollen, purple and sweaty, and even a bedsheet touching it burned. Four months "
        "later the foot is still colder than the other one, the toenails grow differently, and she walks on "
        "the outer edge of the foot. She is a graduate student and is afraid she will lose the semester.",
        "commercial",
        4,
        login="patient.aisha",
    ),
    DemoPatient(
        "riverside",
        "Victor",
        "Madeupson",
        D(1975, 10, 30),
        "male",
        "crps",
        "CRPS of the left foot after a distal fibula fracture",
        "Victor fractured his left fibula falling from a ladder. Since the fracture healed he has had "
        "swelling, colour change and sensitivity to light touch in the foot, with stiffness in the toes. "
        "He works as an electrician and has not returned to work. Mirror therapy at home helps a little.",
        "medicaid",
        3,
    ),
    DemoPatient(
        "riverside",
        "Linnea",
        "Hypothetical",
        D(1982, 3, 27),
        "female",
        "fibromyalgia",
        "Widespread pain, fatigue and unrefreshing sleep",
        "For about four years Linnea has hurt 'everywhere' - neck, shoulders, hips and both arms - along "
        "with exhaustion, unrefreshing sleep and trouble concentrating at her accounting job. Blood tests "
        "for inflammation and thyroid disease were normal. Her pain scores are high on most days, and she "
        "has stopped swimming, which she used to love.",
        "commercial",
        3,
    ),
    DemoPatient(
        "riverside",
        "Cora",
        "Surrogate",
        D(1970, 7, 7),
        "female",
        "fibromyalgia",
        "Fibromyalgia with depression and poor sleep",
        "Cora has widespread pain, morning stiffness and fatigue that started after a stressful divorce. "
        "She also has depression treated by her primary care doctor. She sleeps badly and naps in the "
        "afternoon. She wants to feel well enough to return to her church choir.",
        "medicaid",
        2,
    ),
    DemoPatient(
        "riverside",
        "Ernest",
        "Pretendly",
        D(1953, 1, 21),
        "male",
        "peripheral-neuropathy",
        "Burning feet from diabetic peripheral neuropathy",
        "Ernest has had type 2 diabetes for twenty years. For the last two years both feet burn and tingle "
        "like he is standing on hot sand, worst at night; the covers touching his feet keep him awake. He "
        "has lost feeling in his toes and has fallen twice. His kidney function is mildly reduced.",
        "medicare",
        3,
        seen_today=True,
    ),
    DemoPatient(
        "riverside",
        "Mabel",
        "Synthetica",
        D(1958, 4, 15),
        "female",
        "peripheral-neuropathy",
        "Painful diabetic neuropathy in both feet and hands",
        "Mabel has numbness and electric pains in both feet up to the ankles and now in her fingertips. "
        "She has diabetes and heart failure. Gabapentin made her dizzy. She lives alone and worries about "
        "falling on the way to the mailbox.",
        "medicaid",
        2,
    ),
    DemoPatient(
        "riverside",
        "Tessa",
        "Fauxley",
        D(1993, 9, 2),
        "female",
        "migraine",
        "Migraine with aura, 10 headache days a month",
        "Tessa has had migraines since high school. They have become more frequent: about ten days a month "
        "of throbbing one-sided headache with nausea and sensitivity to light, preceded by zigzag lines in "
        "her vision. She takes over-the-counter pain relievers on most of those days and has missed work "
        "as a nurse. She was referred by neurology for a combined plan.",
        "commercial",
        3,
    ),
    DemoPatient(
        "riverside",
        "Omar",
        "Inventado",
        D(1987, 12, 12),
        "male",
        "migraine",
        "Chronic migraine with medication overuse",
        "Omar has daily headaches, with a severe migraine twice a week. He takes a combination pain "
        "reliever almost every day. Sleep is poor, and he works night shifts in a warehouse. He has tried "
        "two preventive medicines without benefit.",
        "medicaid",
        2,
    ),
    DemoPatient(
        "riverside",
        "Beatrix",
        "Notaperson",
        D(1962, 5, 8),
        "female",
        "cancer-pain",
        "Bone pain from metastatic breast cancer",
        "Beatrix has breast cancer that has spread to her spine and right hip. She is on hormone therapy "
        "with her oncologist. A deep aching pain in the right hip wakes her at night and makes it hard to "
        "walk to the car. Her goal is to travel to her granddaughter's wedding in three months.",
        "medicare",
        3,
    ),
    DemoPatient(
        "riverside",
        "Lionel",
        "Stand-In",
        D(1955, 11, 25),
        "male",
        "cancer-pain",
        "Abdominal pain from pancreatic cancer",
        "Lionel was diagnosed with pancreatic cancer last spring. He has a constant gnawing pain in the "
        "upper abdomen that bores through to his back, worse after meals. His oncologist asked us to help "
        "with pain control alongside chemotherapy; he wants to stay clear-headed for his family.",
        "medicare",
        2,
    ),
    DemoPatient(
        "riverside",
        "Greta",
        "Counterfeit",
        D(1966, 2, 2),
        "female",
        "persistent-postsurgical-pain",
        "Chest wall pain 8 months after mastectomy",
        "Greta had a right mastectomy for early breast cancer eight months ago. The cancer is gone, but a "
        "burning, tight pain across the right chest wall and armpit has stayed, with a patch of skin that "
        "is numb yet painful to touch. Bra straps are unbearable. She is back at her job as a teacher.",
        "commercial",
        3,
    ),
    DemoPatient(
        "riverside",
        "Ivan",
        "Placebo",
        D(1959, 6, 13),
        "male",
        "persistent-postsurgical-pain",
        "Groin pain after inguinal hernia repair",
        "Ivan had a mesh hernia repair on the left a year ago. Since then a sharp, burning groin pain "
        "shoots into the inner thigh when he stands up or lifts. His surgeon found no recurrence of the "
        "hernia. He works as a bus driver and finds long shifts hard.",
        "medicare",
        2,
    ),
    DemoPatient(
        "riverside",
        "Rosalind",
        "Simulacra",
        D(1984, 8, 8),
        "female",
        "pelvic-pain",
        "Chronic pelvic pain for 3 years",
        "Rosalind has had pelvic pain for three years, worse around her period and with intercourse. "
        "Laparoscopy showed mild endometriosis, which was treated, but the pain persisted. She has urinary "
        "urgency and finds sitting through meetings uncomfortable. Her gynaecologist referred her for a "
        "multidisciplinary plan.",
        "commercial",
        3,
    ),
    DemoPatient(
        "riverside",
        "Yusuf",
        "Exemplar",
        D(1977, 3, 3),
        "male",
        "pelvic-pain",
        "Chronic pelvic and perineal pain",
        "Yusuf has had pain in the perineum and lower pelvis for two years, worse after sitting. Urine "
        "tests and a urology work-up were normal. The pain has hurt his sleep and his marriage, and he "
        "feels embarrassed talking about it.",
        "medicaid",
        2,
    ),
    DemoPatient(
        "riverside",
        "Hiro",
        "Notional",
        D(1969, 10, 10),
        "male",
        "cervical-radiculopathy",
        "Neck pain radiating down the right arm to the thumb",
        "Hiro woke with a stiff neck three months ago and a pain that shot down his right arm into the "
        "thumb and index finger. Turning his head to check his blind spot makes it worse. His grip on the "
        "right is a little weaker. He is a violinist and is frightened for his career.",
        "commercial",
        3,
    ),
    DemoPatient(
        "riverside",
        "Agnes",
        "Shingleford",
        D(1941, 4, 29),
        "female",
        "postherpetic-neuralgia",
        "Burning pain on the left chest after shingles",
        "Agnes had shingles across the left side of her chest last winter. The rash healed within a month, "
        "but the skin there still burns and itches, and clothing brushing it feels like sandpaper. The "
        "pain has lasted six months. She lives independently and is sensitive to medicines that affect "
        "balance.",
        "medicare",
        3,
    ),
    DemoPatient(
        "riverside",
        "Franklin",
        "Redo",
        D(1963, 9, 9),
        "male",
        "post-laminectomy-syndrome",
        "Persistent leg and back pain after two lumbar surgeries",
        "Franklin had a laminectomy and later a fusion for leg pain. After each surgery he improved for a "
        "few months, but now he has constant burning pain in the right leg and aching in the low back. He "
        "has completed physical therapy and a pain psychology programme, and a psychologist cleared him "
        "for a trial of spinal cord stimulation.",
        "medicare",
        4,
    ),
    DemoPatient(
        "riverside",
        "Penelope",
        "Decoy",
        D(1980, 1, 31),
        "female",
        "post-laminectomy-syndrome",
        "Back and leg pain after lumbar laminectomy",
        "Penelope had a laminectomy two years ago for stenosis. Her walking improved but she developed a "
        "new burning pain in the left leg. She works from home and uses a standing desk. She is hoping to "
        "avoid another operation.",
        "commercial",
        2,
    ),
    # Northgate: a smaller second clinic, so the multi-clinic boundary is visible.
    DemoPatient(
        "northgate",
        "Quentin",
        "Otherclinic",
        D(1974, 2, 14),
        "male",
        "lumbar-radiculopathy",
        "Left S1 sciatica for 6 weeks",
        "Quentin has left buttock and calf pain since helping a friend move house. The pain goes to the "
        "sole of his foot and is worse sitting. He is otherwise healthy and runs a small bakery.",
        "commercial",
        2,
        seen_today=True,
    ),
    DemoPatient(
        "northgate",
        "Ingrid",
        "Elsewhere",
        D(1950, 6, 6),
        "female",
        "knee-osteoarthritis",
        "Left knee osteoarthritis",
        "Ingrid has left knee pain and swelling after long walks. She has diabetes and takes blood thinners "
        "for atrial fibrillation. She wants to keep volunteering at the library.",
        "medicare",
        2,
    ),
    DemoPatient(
        "northgate",
        "Desmond",
        "Farside",
        D(1983, 11, 11),
        "male",
        "migraine",
        "Episodic migraine without aura",
        "Desmond has four to six migraines a month, often after poor sleep, that keep him home from his "
        "job as a software tester.",
        "medicaid",
        2,
    ),
    DemoPatient(
        "northgate",
        "Olive",
        "Nonesuch",
        D(1961, 3, 19),
        "female",
        "fibromyalgia",
        "Widespread pain and fatigue",
        "Olive has widespread aching, fatigue and poor sleep for five years, with normal blood work. She "
        "has tried several medicines and wants help with a gentle exercise plan.",
        "medicare",
        2,
    ),
)

REQUIRED_CONDITIONS = (
    "lumbar-radiculopathy",
    "lumbar-facet-pain",
    "lumbar-spinal-stenosis",
    "si-joint-pain",
    "knee-osteoarthritis",
    "crps",
    "fibromyalgia",
    "peripheral-neuropathy",
    "migraine",
    "cancer-pain",
    "persistent-postsurgical-pain",
    "pelvic-pain",
    "cervical-radiculopathy",
    "postherpetic-neuralgia",
    "post-laminectomy-syndrome",
)


@dataclass(frozen=True)
class VisitTemplate:
    type: str
    chief_complaint: str
    note: str


@dataclass(frozen=True)
class VisitPlan:
    visits: tuple[VisitTemplate, ...] = field(default_factory=tuple)


def _consult(problem: str) -> VisitTemplate:
    return VisitTemplate(
        "new-consult",
        problem,
        "New patient consultation. History as in the background section. Pain scores, function and goals "
        "recorded. Red flags screened and absent. Examination documented. Discussed the diagnosis, "
        "self-care and a stepped plan; the patient agreed to start with education and rehabilitation.",
    )


FOLLOW_UP = VisitTemplate(
    "follow-up",
    "Review of progress",
    "Follow-up visit. Reviewed pain, function and sleep since the last visit, adherence to the home "
    "programme and medicine tolerability. Adjusted the plan together with the patient.",
)
TELEHEALTH = VisitTemplate(
    "telehealth",
    "Telehealth check-in",
    "Video visit. Patient reports partial improvement. Reviewed goals and questions; no new red flags.",
)
PROCEDURE_BY_CONDITION = {
    "lumbar-radiculopathy": "Transforaminal epidural steroid injection under fluoroscopy",
    "lumbar-facet-pain": "Diagnostic medial branch block",
    "lumbar-spinal-stenosis": "Interlaminar epidural steroid injection",
    "si-joint-pain": "Image-guided sacroiliac joint injection",
    "knee-osteoarthritis": "Genicular nerve block",
    "crps": "Lumbar sympathetic block",
    "cervical-radiculopathy": "Cervical interlaminar epidural steroid injection",
    "post-laminectomy-syndrome": "Spinal cord stimulator trial planning",
    "persistent-postsurgical-pain": "Ultrasound-guided peripheral nerve block",
    "pelvic-pain": "Ultrasound-guided pudendal nerve block",
}


def visit_templates(condition: str, problem: str, count: int) -> list[VisitTemplate]:
    """Consult first, then follow-ups, with a procedure for conditions that have one."""
    visits = [_consult(problem)]
    procedure = PROCEDURE_BY_CONDITION.get(condition)
    middle = [
        VisitTemplate(
            "procedure",
            procedure,
            f"{procedure}. Consent obtained after discussing risks and alternatives. Procedure "
            "completed without complication; pre- and post-procedure pain scores recorded.",
        )
        if procedure
        else TELEHEALTH,
        FOLLOW_UP,
    ]
    while len(visits) < count - 1:
        visits.append(middle[(len(visits) - 1) % len(middle)])
    visits.append(FOLLOW_UP)
    return visits[:count]


# The draft (last) visit of a patient not seen today was this many days before the run date.
DRAFT_DAYS_BEFORE = 7
