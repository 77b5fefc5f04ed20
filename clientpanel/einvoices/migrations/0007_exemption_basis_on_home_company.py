"""The legal basis of the VAT exemption is the home company's now (tax 0007): each profile's text is
carried over to its company, then the profile's column goes."""

from django.db import migrations


def carry_over(apps, schema_editor):
    Profile = apps.get_model("einvoices", "EInvoiceProfile")
    HomeCompany = apps.get_model("tax", "HomeCompany")
    for profile in Profile.objects.exclude(vat_exemption_basis="").only("home_company_id", "vat_exemption_basis"):
        HomeCompany.objects.filter(pk=profile.home_company_id).update(vat_exemption_basis=profile.vat_exemption_basis)


def carry_back(apps, schema_editor):
    Profile = apps.get_model("einvoices", "EInvoiceProfile")
    HomeCompany = apps.get_model("tax", "HomeCompany")
    for company in HomeCompany.objects.exclude(vat_exemption_basis="").only("pk", "vat_exemption_basis"):
        Profile.objects.update_or_create(home_company_id=company.pk,
                                         defaults={"vat_exemption_basis": company.vat_exemption_basis})


class Migration(migrations.Migration):

    dependencies = [
        ("einvoices", "0006_error_code"),
        ("tax", "0007_homecompany_vat_exemption_basis"),
    ]

    operations = [
        migrations.RunPython(carry_over, carry_back),
        migrations.RemoveField(model_name="einvoiceprofile", name="vat_exemption_basis"),
    ]
