"""Twenty original demo documents, generated as real PDF and DOCX files (issue #3)."""

import io
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document, DocumentKind, IssuingBody
from documents.services import document_save

FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"

KINDS = [
    ("рішення", "rishennia"),
    ("розпорядження", "rozporiadzhennia"),
    ("наказ", "nakaz"),
    ("положення", "polozhennia"),
    ("звіт", "zvit"),
    ("програма", "prohrama"),
]
BODIES = ["Міська рада", "Виконавчий комітет", "Міський голова", "Відділ освіти"]

TOPICS = [
    ("Про затвердження бюджету громади на наступний рік", "видатки на школи, дороги та лікарню"),
    ("Про ремонт мосту через річку на вулиці Садовій", "заміну опор і нове освітлення мосту"),
    ("Про облаштування дитячого майданчика у сквері", "безпечне покриття та нові гойдалки"),
    ("Про тарифи на водопостачання та водовідведення", "нові тарифи для мешканців і підприємств"),
    ("Про встановлення пам'ятного знака захисникам", "місце, ескіз і порядок фінансування"),
    (
        "Положення про конкурс громадських ініціатив",
        "умови подання проєктів і голосування мешканців",
    ),
    (
        "Про впорядкування паркування в центрі міста",
        "платні зони та місця для людей з інвалідністю",
    ),
    ("Звіт про виконання програми енергозбереження", "утеплення шкіл і заміну вікон у садочках"),
    ("Про організацію літнього відпочинку дітей", "табори при школах і харчування учнів"),
    ("Про прибирання територій після зими", "толоку, вивезення сміття й озеленення"),
]


def _pdf(title: str, body: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("DejaVuSans", 14)
    pdf.drawString(50, 790, title[:80])
    pdf.setFont("DejaVuSans", 11)
    y = 760
    for line in body.split("\n"):
        pdf.drawString(50, y, line[:95])
        y -= 16
    pdf.save()
    return buffer.getvalue()


def _docx(title: str, body: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for line in body.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def load(stdout) -> None:
    if Document.objects.exists():
        stdout.write("Documents: demo content already present.")
        return
    kinds = [
        DocumentKind.objects.get_or_create(slug=slug, defaults={"name": name, "position": i})[0]
        for i, (name, slug) in enumerate(KINDS)
    ]
    bodies = [IssuingBody.objects.get_or_create(name=name)[0] for name in BODIES]
    created = []
    for n in range(20):
        title, subject = TOPICS[n % len(TOPICS)]
        if n >= len(TOPICS):
            title = f"{title} (зміни)"
        kind = kinds[n % len(kinds)]
        number = f"{100 + n * 7}-{'р' if kind.slug == 'rozporiadzhennia' else 'рш'}"
        body = (
            f"{kind.name.capitalize()} № {number}\n"
            f"Розглянувши пропозиції мешканців щодо того, як забезпечити {subject},\n"
            "з метою сталого розвитку громади та відповідно до чинного законодавства,\n"
            f"{BODIES[n % len(BODIES)].lower()} вирішує:\n"
            f"1. Підтримати план заходів, що передбачає {subject}.\n"
            "2. Доручити профільним відділам підготувати кошторис до кінця кварталу.\n"
            "3. Оприлюднити цей документ на сайті громади.\n"
            "4. Контроль за виконанням покласти на заступника міського голови."
        )
        maker, suffix = (_pdf, "pdf") if n % 2 == 0 else (_docx, "docx")
        document = Document(
            title=title,
            kind=kind,
            number=number,
            adopted_on=date(2022 + n % 4, 1 + n % 12, 1 + (n * 3) % 27),
            issuer=bodies[n % len(bodies)],
            status=Document.Status.REPEALED if n in (0, 3) else Document.Status.IN_FORCE,
            description=f"Документ визначає {subject}.",
            file=SimpleUploadedFile(f"demo.{suffix}", maker(title, body)),
        )
        document_save(document=document)
        created.append(document)
    created[10].amends.add(created[0])
    created[13].cancels.add(created[3])
    stdout.write(f"Documents: {len(created)} demo documents created.")
