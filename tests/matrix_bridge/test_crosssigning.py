"""What the bridge does about cross-signing at start, and the signatures it
makes."""

from matrix_bridge import crosssigning

BOT = "@assistant:example.org"


# ------------------------------------------------------------------ cross-signing plan

USER, DEVICE = BOT, "BOTDEVICE"


class Keys:
    """Stands for crosssigning.CrossSigningKeys (the plan reads only `matches`)."""

    def __init__(self, master, self_signing):
        self.master_key, self.self_signing_key = master, self_signing

    def matches(self, master, self_signing):
        return (master, self_signing) == (self.master_key, self.self_signing_key)


def keys_query(master=None, self_signing=None, device_signed_by=()):
    query = {
        "device_keys": {
            USER: {
                DEVICE: {
                    "user_id": USER,
                    "device_id": DEVICE,
                    "signatures": {
                        USER: {f"ed25519:{DEVICE}": "self", **{f"ed25519:{k}": "sig" for k in device_signed_by}}
                    },
                }
            }
        }
    }
    if master:
        query["master_keys"] = {USER: {"user_id": USER, "usage": ["master"], "keys": {f"ed25519:{master}": master}}}
    if self_signing:
        query["self_signing_keys"] = {
            USER: {"user_id": USER, "usage": ["self_signing"], "keys": {f"ed25519:{self_signing}": self_signing}}
        }
    return query


def test_cross_signing_at_first_start_uploads_keys():
    assert crosssigning.next_step(keys_query(), USER, DEVICE, None) == crosssigning.UPLOAD


def test_cross_signing_signs_a_device_not_yet_signed_by_our_keys():
    assert crosssigning.next_step(keys_query("M", "S"), USER, DEVICE, Keys("M", "S")) == crosssigning.SIGN_DEVICE
    assert crosssigning.next_step(keys_query("M", "S", ["S"]), USER, DEVICE, Keys("M", "S")) == crosssigning.DONE


def test_cross_signing_keys_we_do_not_hold_are_reported_not_overwritten():
    assert crosssigning.next_step(keys_query("M", "S"), USER, DEVICE, None) == crosssigning.FOREIGN
    assert crosssigning.next_step(keys_query("M2", "S2"), USER, DEVICE, Keys("M", "S")) == crosssigning.FOREIGN
    assert "--reset-cross-signing" in crosssigning.FOREIGN_EXPLANATION


def test_signatures_cover_the_canonical_json_without_signatures_and_unsigned():
    device = {
        "user_id": USER,
        "device_id": DEVICE,
        "keys": {"ed25519:D": "é"},
        "algorithms": ["b", "a"],
        "signatures": {USER: {"ed25519:D": "x"}},
        "unsigned": {"device_display_name": "n"},
    }
    assert (
        crosssigning.canonical_json(crosssigning.signable(device))
        == (
            '{"algorithms":["b","a"],"device_id":"BOTDEVICE","keys":{"ed25519:D":"é"},"user_id":"@assistant:example.org"}'
        ).encode()
    )
    signed = crosssigning.with_signature(device, USER, "ed25519:S", "sig")
    assert signed["signatures"] == {USER: {"ed25519:D": "x", "ed25519:S": "sig"}} and "unsigned" not in signed
    assert device["signatures"] == {USER: {"ed25519:D": "x"}}  # the original is left alone
