"""Q1's hint in the imported PLUTO questionnaire repeated its second answer word for word;
replace it with the project's hint (the same rule ``parse_pluto`` applies to new imports).

Only the hint changes: no choice, weight or bound, so no assessment's score moves.
"""

from django.db import migrations

NEW_HINT = (
    "Choose whose data use this assessment is about. In an application to Solidarity "
    "this is usually your own project."
)


def reword(apps, schema_editor):
    Question = apps.get_model("reviews", "Question")
    questions = Question.objects.filter(external_id="44", group__framework__source="pluto")
    for question in questions.prefetch_related("choices"):
        answers = {choice.text.strip() for choice in question.choices.all()}
        if question.explanation.strip() in answers:
            question.explanation = NEW_HINT
            question.save(update_fields=["explanation"])


class Migration(migrations.Migration):
    dependencies = [("reviews", "0007_assessment_other_texts")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
