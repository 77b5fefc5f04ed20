"""The subject and the text version of a message are plain text: what a variable holds is written as
it is there ("Smith & Sons"), and escaped only in the HTML version."""

from clientpanel.notifications.rendering import render_parts, shipped


def test_plain_text_parts_are_not_html_escaped_and_the_html_is():
    rendered = render_parts("welcome", shipped("welcome", "en"), {
        "user_firstname": "Jo", "company_name": "Smith & Sons <Hosting>",
        "login_url": "https://panel.example.com/portal/login/?a=1&b=2"})
    assert rendered.subject == "Welcome to Smith & Sons <Hosting>"
    assert "your account at Smith & Sons <Hosting> is ready" in rendered.body_text
    assert "https://panel.example.com/portal/login/?a=1&b=2" in rendered.body_text
    assert "Smith &amp; Sons &lt;Hosting&gt;" in rendered.body_html
    assert "<Hosting>" not in rendered.body_html
