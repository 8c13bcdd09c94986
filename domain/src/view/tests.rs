use super::*;

#[test]
fn a_card_form_is_one_action_or_names_what_is_missing() {
    let form = |action: &str| ActionForm { action: action.into(), ..ActionForm::default() };
    let with = |f: ActionForm| ContactAction::from_form(&f);
    assert_eq!(with(ActionForm { channel: Some("sms".into()), ..form("opt-out") }), Ok(ContactAction::OptOut(Channel::Sms)));
    assert_eq!(with(form("opt-in")), Err("channel"));
    assert_eq!(with(form("revoke")), Ok(ContactAction::Revoke(None)), "every browser");
    assert_eq!(with(ActionForm { device: Some(3), ..form("revoke") }), Ok(ContactAction::Revoke(Some(3))));
    assert_eq!(with(form("remove-passkey")), Err("passkey"));
    assert_eq!(with(ActionForm { message: Some("  ".into()), ..form("publish") }), Err("message"));
    assert_eq!(with(ActionForm { message: Some("abc".into()), ..form("publish") }), Ok(ContactAction::Publish("abc".into())));
    assert_eq!(with(ActionForm { channel: Some("email".into()), ..form("test") }), Ok(ContactAction::TestMessage(Channel::Email)));
    assert_eq!(with(ActionForm { channel: Some("fax".into()), ..form("test") }), Err("channel"));
    assert_eq!(with(form("delete-everything")), Err("action"));
}
