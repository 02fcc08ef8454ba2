"""Every text of the bundled PLUTO questionnaire, marked so ``makemessages`` collects it.

The database keeps PLUTO's English as the reference text; pages and the API show it through
``framework_text`` (gettext at display time), so French and German come from the catalogues.
tests/reviews/test_questionnaire_language.py checks this list against the bundled JSON.
"""

# PLUTO's texts verbatim, one per line (the msgids must match the database exactly).
# ruff: noqa: E501, RUF001

from django.utils.translation import gettext, gettext_noop

TEXTS = (
    gettext_noop("Information About the Applicant"),
    gettext_noop("Are you inquiring about your own data use, or about data use by someone else?"),
    gettext_noop(
        "Somebody else’s data use (please note: there are some questions you might not be able to answer; you will be able to get an idea of the data use’s public value, however it may not be as accurate)"
    ),
    gettext_noop("My own data use (or data use by the entity that I represent)"),
    gettext_noop("Which of the answers below best describe the data user? (tick up to two)"),
    gettext_noop(
        "Who will be using the data? If you are unsure or if more than two categories apply, please specify via the “Other” option."
    ),
    gettext_noop("Individual citizen"),
    gettext_noop("Researcher"),
    gettext_noop("Public organisation"),
    gettext_noop("Private company"),
    gettext_noop("Charity"),
    gettext_noop("Other (please specify)"),
    gettext_noop(
        "Which of the answers below best describe the primary activity of the data user? (tick up to two)"
    ),
    gettext_noop(
        "This question refers to the primary activity of the data user. If the primary activity can best be explained by a separate category (or across two or more categories), please specify via the “None of the above” option. If you are unsure, please select “I don’t know.”\n\nNote: Basic research seeks to expand fundamental knowledge and understand underlying principles. Applied research tries to solve practical problems and develop real-world applications."
    ),
    gettext_noop("Conduct research"),
    gettext_noop("Fulfil a government task"),
    gettext_noop("Improve public services"),
    gettext_noop("Sell a product/service"),
    gettext_noop("None of the above (please specify)"),
    gettext_noop("I don’t know"),
    gettext_noop("What is the data user’s primary source of funding? (tick up to two)"),
    gettext_noop(
        'This question aims to capture how the data user finances its operations. Data users that hold comparatively higher financial resources are held to a higher standard regarding its ability to limit risks and maximise benefits of its data use.  \n\nIf none of the provided options are applicable, please specify via the "None of the above" option. If you are unsure, please select "I don\'t know.”'
    ),
    gettext_noop(
        "Predominantly financed through income from own activities or parent/partner company"
    ),
    gettext_noop(
        "Predominantly financed by governmental organisations (national or international)"
    ),
    gettext_noop("Predominantly financed by philanthropic foundations"),
    gettext_noop("Predominantly financed by way of large donations"),
    gettext_noop("Predominantly financed by way of small donations"),
    gettext_noop("Predominantly financed by a political party"),
    gettext_noop(
        "Which of the answers below best describe the data user's public reporting requirements? (tick up to two)"
    ),
    gettext_noop(
        'This question aims to understand the frequency and form with which the data usershares information about its activities with the public. The more frequent and the more extensive the reports, the higher the data users transparency and the higher, in turn, the public value created.\n\nIf none of the provided options are applicable, please select "None of the above" and specify your unique reporting requirements. If you are unsure, please select "I don\'t know."'
    ),
    gettext_noop("if the data user had public reporting requirements in place related to data use"),
    gettext_noop("No reporting requirements"),
    gettext_noop("Annual report on key financials to financial institution"),
    gettext_noop("Annual public report on activities to government"),
    gettext_noop("Annual non-public report on activities to the funder (or other entities)"),
    gettext_noop(
        "Which of the answers below best describe the data user's legal obligations to provide information about its data use activities to the public? (tick one)"
    ),
    gettext_noop(
        'In many jurisdictions public actors need to disclose information when someone files a Freedom of Information (FOI) request. For data users that do not fall within the scope of FOIs (e.g. privately owned businesses), their track record in providing information when requested by citizens or public bodies is taken into account. \n\nIf none of the provided options are applicable, select "None of the above" and specify your unique reporting requirements. If you are unsure, choose "I don\'t know.”'
    ),
    gettext_noop(
        "if the data user could be legally compelled to disclose information about data use activities to the public (beyond civil and criminal proceedings)"
    ),
    gettext_noop(
        "No legal options to compel disclosure of information about data use activities to the public beyond civil or criminal proceedings (e.g., as a result of GDPR obligations)"
    ),
    gettext_noop(
        "Can be legally compelled to disclose information about its data use activities (e.g., via freedom of information laws)"
    ),
    gettext_noop(
        "Does the data user have a procedure in place to respond to public requests for information on its activities (e.g. freedom of information requests, other legal obligations, or voluntarily)? (tick one)"
    ),
    gettext_noop(
        'This question assesses the data user’s history of responding to requests to provide information to the public on its activities. A track record of rejecting or selectively responding to information requests will reduce the public value of an instance of data use as it does not signal a commitment to transparency, while a record of responding to all information requests will increase it.\n\nIf none of the provided options are applicable, please specify via the "None of the above" option. If you are unsure, please select "I don\'t know.”'
    ),
    gettext_noop("if the data user complied (better) with information requests regarding data use"),
    gettext_noop("Procedure in place to respond to public requests for information"),
    gettext_noop("No procedure in place to respond to public requests for information"),
    gettext_noop("Benefits of the Applicant’s Activity"),
    gettext_noop(
        "Which of the answers below best describe the data user's motivation for the data use? (tick as many as necessary)"
    ),
    gettext_noop(
        'This question aims at capturing the user’s motivation for the data use. For example, data use aimed at improving medical treatments is of high value to the public, provided that risks are minimised. \n\nIf none of the provided options are applicable, select "None of the above" and specify the motivation underlying the data use in question. If you are unsure, please select "I don\'t know.”'
    ),
    gettext_noop(
        "if the motivation for the data use went beyond generating commercial profits, and prioritised the collective good"
    ),
    gettext_noop("Business and commerce"),
    gettext_noop("Improving public services"),
    gettext_noop("Research (primarily scientific, medical)"),
    gettext_noop("Research (primarily industry)"),
    gettext_noop(
        "Is it plausible to assume that the data use will benefit people in low and middle income countries (LMICs)? (tick one)"
    ),
    gettext_noop(
        'This question aims at understanding whether the applicant has a track record in expanding the range of beneficiaries of its data use to individuals and/or communities in low and middle-income countries (LMICs, or “the Global South”). Multinational corporations frequently generate considerable profits in high-income countries from digital activity in LMICs while paying no tax there which adversely impacts the public value they generate. Data use which helps reduce global inequality by ensuring benefits are shared equally will be of higher public value. \n\n“Some track record” indicates a few instances of ensuring benefits of data use are felt by individuals and/or communities in LMICs. A “strong track record’ indicates a consistent and sustained generation of benefits in LMICs. . If none of the provided options are applicable, select "None of the above" and specify the data user’s record of distributing benefits to LMICs. If you are unsure, please select "I don\'t know.”'
    ),
    gettext_noop(
        "if the data user had previously ensured that their data use benefits people in low and middle-income countries (LMICs)"
    ),
    gettext_noop("Data use will plausibly benefit people in LMICs"),
    gettext_noop("Data use will not plausibly benefit people in LMICs"),
    gettext_noop("Not applicable (please specify)"),
    gettext_noop(
        "Which of the answers below best describe the track record of the data user in strengthening the benefits for marginalised groups? (tick one)"
    ),
    gettext_noop(
        "Certain marginalised groups are afforded special protection under anti-discrimination laws. The German Constitution (Basic Law), for instance, prohibits discrimination on the basis of sex, gender, origin, ethnicity, language, belief, religious and political views, and disability (Article 3 Basic Law). This question aims to assess if the likelihood that a given data use will benefit such groups. Data use which helps reduce inequality and which benefits these groups will be of a higher public value. This question should be answered in line with those groups protected in the relevant jurisdiction or, if inapplicable, in international Human Rights law.  \n\n“Some track record” indicates a few instances of strengthening the benefits for marginalised groups. A “strong track record’ indicates consistent and sustained efforts to ensure the benefits of data use are felt by such groups. If you are unsure, please select \"I don't know.”"
    ),
    gettext_noop(
        "No track record of  strengthening benefits for groups that are granted protection by way of anti-discrimination laws"
    ),
    gettext_noop(
        "Some track record of strengthening benefits for groups that are granted protection by way of anti-discrimination laws"
    ),
    gettext_noop(
        "Strong track record of strengthening benefits for groups that are granted protection by way of anti-discrimination laws"
    ),
    gettext_noop(
        "Which of the answers below best describe the data use’s benefits for future generations? (tick up to two)"
    ),
    gettext_noop(
        "Future generations are likely to suffer from inequities in the distribution of wealth and income, as well as water scarcity, global warming and migration. Data use that serves a growing societal need, or is likely to benefit future generations in other ways, will have a higher public value. \n\nIf you are unsure, please select \"I don't know.”"
    ),
    gettext_noop("if the data user ensured that their data use also benefits future generations"),
    gettext_noop("Benefits primarily cover issues of current and future relevance"),
    gettext_noop("Benefits primarily cover issues of relevance for future generations"),
    gettext_noop("Benefits are likely to increase in the future"),
    gettext_noop("Risks of the Applicant’s Activity"),
    gettext_noop(
        "Which of the answers below best describe the type(s) of foreseeable risk to (any) individuals or groups coming from the data use? (tick as many as necessary)"
    ),
    gettext_noop(
        "A key component of assessing the public value of data use is the (foreseeable) risk to individuals or groups, both directly and indirectly. Note that this is not an exhaustive list of potential risk categories. Please use the “Other” option to specify additional risks. Examples of the above include: \n\nFinancial Risk: Sensitive financial data (e.g., bank details, tax information etc.) carries a financial risk to data subjects. An indirect financial risk would be individuals denied insurance or loan applications on the basis of predictions made via the data use. \n\nHealth risk: If data use involves managing health records for example, there is a risk that mishandling data could lead to misdiagnosis or incorrect medical treatment, potentially causing physical harm to individuals. Data misuse can also risk the mental health of individuals.\n\nInformational Risk: Informational risk is the potential for harm from disclosure of information about an identified individual. All sensitive personal data falls under this category, as well as anonymised data which can be conceivably re-identified. \n\nPolitical Risk: Data that includes sensitive political indicators (e.g., voting preference, party affiliation, union membership) carries a political risk if they are mishandled or misused. \n\nSocial Risk: If the data use risks the social well-being of individuals or communities, and/or includes sensitive social descriptors, such as sexual orientation."
    ),
    gettext_noop("Financial risk"),
    gettext_noop("if the data use posed lower financial risk to people"),
    gettext_noop("Health risk"),
    gettext_noop("if the data use posed lower physical risk to people"),
    gettext_noop("Informational risk"),
    gettext_noop("if the data use posed lower informational risk to people"),
    gettext_noop("Political risk"),
    gettext_noop("if the data use posed lower political risk to people"),
    gettext_noop("Social risk"),
    gettext_noop("if the data use posed lower social risk to people"),
    gettext_noop(
        "if the data use posed fewer other risks (beyond those listed) to any individuals or groups"
    ),
    gettext_noop(
        "Independent of the type of risk, how likely is it that the risk will materialise and create harm? (tick one)"
    ),
    gettext_noop("Low foreseeable risk"),
    gettext_noop("Moderate foreseeable risk"),
    gettext_noop("High foreseeable risk"),
    gettext_noop(
        "Does the data user take measures to limit the negative impact of their data use on the natural environment (e.g., using renewable energy sources)? (tick one)"
    ),
    gettext_noop(
        'Data use which in which the impact on the environment is limited will be of higher public value. \n\nRelevant aspects here are: does energy used to store and process the data come from fully renewable sources? Does the data use in itself further climate protection (e.g. climate research?). If you are unsure, please select "I don\'t know."'
    ),
    gettext_noop("if the negative environmental impacts of the data use were lower"),
    gettext_noop("No measures to limit environmental impact"),
    gettext_noop("Some measures to limit environmental impact"),
    gettext_noop("Extensive measures to limit environmental impact"),
    gettext_noop(
        "Which of the answers below best describe the possible elevated risks for marginalised groups ? An example for financial risk would be a refused loan application due to being a member of an ethnic minority group (tick one)"
    ),
    gettext_noop(
        'In most jurisdictions, certain groups in society are afforded special protection under anti-discrimination laws. The German Constitution (Basic Law) for instance prohibits discrimination on the basis of sex, gender, origin, ethnicity, language, belief, religious and political views, and disability (Article 3 Basic Law). Adverse effects on groups who are afforded special protection under the law may also be generated incidentally and unintended (such as a loan application being denied).  This question should be answered in line with those groups protected in the relevant jurisdiction or, if inapplicable, in international Human Rights law.  \n\nThis question aims to assess the foreseeable risk of an instance of data use for such groups. The risk is "elevated" as it is impossible to remove all risk.'
    ),
    gettext_noop(
        "if the data use did not entail possible risks for groups afforded special protection under the law"
    ),
    gettext_noop("Data use foreseeably entails elevated risk for protected groups"),
    gettext_noop("Data use foreseeably entails no elevated risk for protected groups"),
    gettext_noop(
        "Which of the answers below best describe the information given by the data user to the public about the risks of their data use? (tick one)"
    ),
    gettext_noop(
        "Has the data user informed the public about risks related to their data use  in an accessible way (i.e. is it understandable to a person with limited technical knowledge?)"
    ),
    gettext_noop("No information is provided"),
    gettext_noop(
        "if the orgnisation provided more information about risks of its data use to the public"
    ),
    gettext_noop(
        "Information about risks provided to the public at some point during the data use"
    ),
    gettext_noop(
        "if the data user informed the public of any risks prior to the commencement of data use"
    ),
    gettext_noop(
        "Information about risks provided to the public prior to commencement of data use"
    ),
    gettext_noop(
        "Has the data user taken steps to limit the likelihood that the data use creates negative, unintended consequences? (tick one)"
    ),
    gettext_noop(
        "This question concerns the risk of dual use. Dual use, in this instance, refers to the potential for data to be misused by a third party for unintended or malicious ends. For example, medical data collected for research could be de-anonymised and used for targeted advertising, or data collected for a consumer survey could be used for illegal phishing scams. A useful question that can guide thinking is which other uses come to mind when examining the data user’s planned data use, how many are there and how likely are they?"
    ),
    gettext_noop(
        "if there were steps taken to limit the likelihood that the data use creates negative, unintended consequences"
    ),
    gettext_noop("Steps have been taken to limit negative unintended consequences"),
    gettext_noop("No steps have been taken to limit negative unintended consequences"),
    gettext_noop("Institutional Safeguards"),
    gettext_noop(
        "Which of the answers below best describe the data user's way of assessing risk? (tick one)"
    ),
    gettext_noop(
        "This question aims to capture whether the data user routinely assesses risks emerging from their data use, and the format in which such assessment is conducted."
    ),
    gettext_noop("if the data user had a (better) risk assessment in place"),
    gettext_noop("No risk assessment in place"),
    gettext_noop("Ad-hoc risk assessment"),
    gettext_noop("Mandatory risk assessment (for each data use)"),
    gettext_noop(
        "If there is a risk assessment procedure in place, how are its results used? (tick one)"
    ),
    gettext_noop(
        "This question aims to capture the format in which findings from potential risk assessments inform the activities of the data user. For instance, whether data use may only proceed ahead after having responded to/included the findings of the risk assessment or the findings of the risk assessment (strategic actions), or whether no such procedures are in place."
    ),
    gettext_noop("if findings from your risk assessment resulted in strategic actions"),
    gettext_noop("Findings which result in information"),
    gettext_noop("Findings which result in actions"),
    gettext_noop(
        "Which of the answers below best describe those involved in the process of assessing risks? (tick one)"
    ),
    gettext_noop(
        "This question captures the background of the persons involved in any risk assessment. A person who is familiar with ethics may highlight and be aware of specific risks entailed in a specific instance of data use, thereby reducing overall risk and increasing its public value. Consulting those with a knowledge of data ethics increases the likelihood of as many risks as possible being included in the course of the risk assessment. Other professionals (e.g., lawyers, computer scientists) can also highlight important issues that pertain to public value. \n\nIf you are unsure, please specify via the “None of the above” option."
    ),
    gettext_noop(
        "if the risk assessment included individuals with specific ethics training and expertise"
    ),
    gettext_noop("Trained ethicists are not included in the risk assessment"),
    gettext_noop("Trained ethicists are included in the risk assessment"),
    gettext_noop("Other professionals (e.g. legal, data) involved in risk assessment"),
    gettext_noop(
        "Which of the answers below best describe the process of harm monitoring? (tick one)"
    ),
    gettext_noop(
        "This question aims to capture whether the data user routinely monitors harm emerging from their data use. For example, if a company uses personal data obtained from its website to improve its service, does it continually (i.e. regularly) monitor and review potential harms to any individuals or communities affected by this data use?"
    ),
    gettext_noop(
        "if the data user monitored harm that is (directly or indirectly) caused by their data use"
    ),
    gettext_noop("No monitoring of harms"),
    gettext_noop("Harms are monitored"),
    gettext_noop(
        "Which of the answers below best describe the ability of the data user to end their activity, once unexpected harms occur? (tick one)"
    ),
    gettext_noop(
        "This question aims to understand the data user’s ability to end their activity once unexpected harms occur. For example, if in the course of a medical study it is found that a patient’s data has been leaked, can the study be stopped?"
    ),
    gettext_noop("if it were possible to end the harm-causing activity immediately"),
    gettext_noop("Harm-causing activity cannot be ended immediately"),
    gettext_noop("Harm-causing activity can be ended immediately"),
    gettext_noop(
        "Which of the answers below best describe the complaint procedures available to individuals? (tick as many as necessary)"
    ),
    gettext_noop(
        "This question aims to capture what complaint procedures are in place for individuals to report harm from data use. For example, if someone were to experience financial harm in the form of being denied a loan on the basis of a predictive algorithm, are they able to submit a complaint to the data user?"
    ),
    gettext_noop("if the data user had a complaint procedure regarding their data use in place"),
    gettext_noop("No complaint procedure in place"),
    gettext_noop("Complaint procedure can be initiated online"),
    gettext_noop("Complaint procedure designed in an accessible manner"),
    gettext_noop("Guaranteed response times (under 4 weeks)"),
    gettext_noop("What happens with any complaints?"),
    gettext_noop("Complaint results in immediate action"),
    gettext_noop("Complaint results in eventual action"),
    gettext_noop("Complaint is acknowledged"),
)


def framework_text(text: str) -> str:
    """A questionnaire text in the active language (unchanged when no translation exists)."""
    return gettext(text) if text else ""
