//! The built-in rule packs, embedded at build time. Provider-specific packs come first
//! and the generic packs last: on a tie for the same capture the earlier rule wins.

/// `(name, yaml)` of every built-in pack, in load order.
pub const PACKS: &[(&str, &str)] = &[
    ("rules/aws.yaml", include_str!("../../../rules/aws.yaml")),
    ("rules/gcp.yaml", include_str!("../../../rules/gcp.yaml")),
    (
        "rules/azure.yaml",
        include_str!("../../../rules/azure.yaml"),
    ),
    (
        "rules/github.yaml",
        include_str!("../../../rules/github.yaml"),
    ),
    (
        "rules/gitlab.yaml",
        include_str!("../../../rules/gitlab.yaml"),
    ),
    (
        "rules/slack.yaml",
        include_str!("../../../rules/slack.yaml"),
    ),
    (
        "rules/payments.yaml",
        include_str!("../../../rules/payments.yaml"),
    ),
    (
        "rules/messaging.yaml",
        include_str!("../../../rules/messaging.yaml"),
    ),
    (
        "rules/registries.yaml",
        include_str!("../../../rules/registries.yaml"),
    ),
    (
        "rules/kubernetes.yaml",
        include_str!("../../../rules/kubernetes.yaml"),
    ),
    (
        "rules/hashicorp.yaml",
        include_str!("../../../rules/hashicorp.yaml"),
    ),
    ("rules/ai.yaml", include_str!("../../../rules/ai.yaml")),
    (
        "rules/platforms.yaml",
        include_str!("../../../rules/platforms.yaml"),
    ),
    (
        "rules/private-keys.yaml",
        include_str!("../../../rules/private-keys.yaml"),
    ),
    ("rules/jwt.yaml", include_str!("../../../rules/jwt.yaml")),
    (
        "rules/database.yaml",
        include_str!("../../../rules/database.yaml"),
    ),
    ("rules/saas.yaml", include_str!("../../../rules/saas.yaml")),
    (
        "rules/generic.yaml",
        include_str!("../../../rules/generic.yaml"),
    ),
];
