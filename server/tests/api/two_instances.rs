//! Two `roster serve` processes on one PostgreSQL database, as behind a
//! load balancer, both answering a steady stream of page requests: a
//! message and a forced sign-out raised on one reach tabs on the other; then
//! one is killed, and its tabs reconnect to the other, which goes on serving
//! them and every request, without an error.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::json;

use crate::helpers::{TestDb, Visitor, scalar};
use crate::served::{Served, prepare_accounts};

const PASSWORD: &str = "Two-Instances-Harbour-Lantern-73";

async fn message(from: &Visitor, to: i64, body: &str) {
    let response = from
        .call_json(
            "send_message",
            &json!({ "recipients": { "Selected": { "Ids": [to] } }, "body": body }),
        )
        .await;
    assert_eq!(response.status(), 200, "{body}");
}

/// Requests made by the load, and the ones that failed where they must not.
#[derive(Default)]
struct Load {
    served: AtomicU64,
    failed: AtomicU64,
}

#[tokio::test]
#[ignore = "run alone by scripts/test.sh: its time bounds need a machine not busy with the other tests"]
async fn live_signals_cross_instances_under_load_and_tabs_move_when_one_dies() {
    let test_db = TestDb::postgres().await;
    let dir = test_db.dir.path();
    let url = test_db.url.as_str();
    prepare_accounts(dir, url, PASSWORD, "chief", &["ann", "bob"]);
    let db = test_db.connect().await;
    let ann_id: i64 = scalar(&db, "SELECT id FROM users WHERE username = 'ann'").await;
    let bob_id: i64 = scalar(&db, "SELECT id FROM users WHERE username = 'bob'").await;

    let first = Served::start(dir, url, &[]).await;
    let second = Served::start(dir, url, &[]).await;
    let chief = Visitor::new(&first.base);
    assert_eq!(chief.sign_in("chief", PASSWORD).await.status(), 200);
    let ann = Visitor::new(&first.base);
    assert_eq!(ann.sign_in("ann", PASSWORD).await.status(), 200);
    let bob = Visitor::new(&first.base);
    assert_eq!(bob.sign_in("bob", PASSWORD).await.status(), 200);

    // The load: four clients asking both instances for the Users page and
    // the list behind it, one after another, until told to stop. They read
    // a page's status and drop the rest, as a browser does when someone
    // clicks on before the page is done. Once the second is being killed,
    // failures there are expected and not counted.
    let load = Arc::new(Load::default());
    let running = Arc::new(AtomicBool::new(true));
    let second_dying = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for worker in 0..4 {
        let (load, running, second_dying) = (load.clone(), running.clone(), second_dying.clone());
        let targets = [chief.at(&first.base), chief.at(&second.base)];
        workers.push(tokio::spawn(async move {
            let mut turn = worker;
            while running.load(Ordering::Relaxed) {
                turn += 1;
                let on_second = turn % 2 == 1;
                if on_second && second_dying.load(Ordering::Relaxed) {
                    continue;
                }
                let target = &targets[usize::from(on_second)];
                let ok = match turn % 4 {
                    0 | 1 => target
                        .client
                        .get(format!("{}/users?q=a", target.address))
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200),
                    _ => target
                        .client
                        .post(format!("{}/api/list_users", target.address))
                        .header("origin", &target.address)
                        .form(&[("view", "q=b&sort=last_activity&dir=desc")])
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200),
                };
                if ok {
                    load.served.fetch_add(1, Ordering::Relaxed);
                } else if !(on_second && second_dying.load(Ordering::Relaxed)) {
                    load.failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // A message raised on the first reaches ann's tab on the second, and
    // one raised on the second her tab on the first.
    let mut ann_on_second = ann.open_live_at(&second.base).await;
    let mut ann_on_first = ann.open_live_at(&first.base).await;
    assert_eq!((ann_on_second.status, ann_on_first.status), (101, 101));
    message(&chief, ann_id, "From the first").await;
    assert!(ann_on_second.hears("From the first", 5.0).await);
    message(&chief.at(&second.base), ann_id, "From the second").await;
    assert!(ann_on_first.hears("From the second", 5.0).await);

    // A forced sign-out raised on the first closes bob's tab on the second.
    let mut bob_on_second = bob.open_live_at(&second.base).await;
    assert_eq!(bob_on_second.status, 101);
    let response = chief
        .call_json(
            "bulk_action",
            &json!({ "action": "ForceSignOut", "selection": { "Ids": [bob_id] } }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let ended = bob_on_second.next_named("signed_out", 5.0).await;
    assert_eq!(
        ended.map(|d| d["SignedOut"]["reason"].clone()),
        Some(json!("forced_sign_out"))
    );
    assert_eq!(
        bob.at(&second.base).whoami().await,
        None,
        "bob is signed out on the second as well"
    );

    // The second dies. Ann's tab there is cut; it reconnects to the first
    // (where the load balancer now sends it) and hears what is sent next.
    second.assert_no_panic();
    second_dying.store(true, Ordering::Relaxed);
    second.kill();
    assert!(
        ann_on_second.next_named("closed", 5.0).await.is_some(),
        "the tab on the killed instance sees its connection end"
    );
    let mut ann_moved = ann.open_live_at(&first.base).await;
    assert_eq!(ann_moved.status, 101, "the tab reconnects to the first");
    message(&chief, ann_id, "After the failover").await;
    for tab in [&mut ann_moved, &mut ann_on_first] {
        assert!(tab.hears("After the failover", 5.0).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    running.store(false, Ordering::Relaxed);
    for worker in workers {
        worker.await.expect("load worker");
    }
    let (served, failed) = (
        load.served.load(Ordering::Relaxed),
        load.failed.load(Ordering::Relaxed),
    );
    eprintln!("two instances: {served} requests served under the test, {failed} failed");
    assert!(served >= 40, "the load ran: {served} requests");
    assert_eq!(failed, 0, "no request to a live instance failed");
    first.assert_no_panic();
}
