//! Unit tests of `client.rs`: redirects, the kept URL and request target.

use super::*;

#[test]
fn see_other_and_post_redirects_become_get_without_body() {
    let from = Url::parse("http://a.test/form").unwrap();
    let same = Url::parse("http://a.test/done").unwrap();
    let post = || Hop {
        method: Method::POST,
        body: Some(Bytes::from_static(b"x")),
        strip_body_headers: false,
        strip_credentials: false,
        redirected: false,
        authorization: None,
    };
    for status in [301, 302, 303] {
        let mut hop = post();
        redirect(&mut hop, status, &from, &same);
        assert_eq!((hop.method, hop.body, hop.strip_body_headers), (Method::GET, None, true), "{status}");
    }
    for status in [307, 308] {
        let mut hop = post();
        redirect(&mut hop, status, &from, &same);
        assert_eq!(hop.method, Method::POST, "{status}");
        assert!(hop.body.is_some());
    }
    let mut hop = post();
    redirect(&mut hop, 307, &from, &Url::parse("http://b.test/").unwrap());
    assert!(hop.strip_credentials);
    assert!(!post().strip_credentials);
}

#[test]
fn a_url_asked_for_again_is_the_same_url_and_another_one_is_parsed() {
    let client = HttpClient::new(Rc::new(ClientConfig::default()));
    let first = client.parse_url("http://127.0.0.1:8080/a?x=1").unwrap();
    assert_eq!(client.parse_url("http://127.0.0.1:8080/a?x=1").unwrap(), first);
    assert_eq!(client.parse_url("http://127.0.0.1:8080/b").unwrap().path(), "/b");
    assert!(client.parse_url("no url").is_err());
    assert_eq!(client.parse_url("HTTP://127.0.0.1:8080/b").unwrap().as_str(), "http://127.0.0.1:8080/b");
    assert_eq!(client.parse_url("http://127.0.0.1:8080/a?x=1").unwrap(), first);
}

/// A VU waiting for a response holds its request's future (boxed, `script/api/http.rs`) for the
/// whole exchange: 10,000 VUs against a slow target hold 10,000 of them. Dialing (TLS, the
/// HTTP/2 handshake) is boxed apart, as it happens once per connection; inline it made the
/// future 11.8 KB instead of 3.3 KB (debug build, where futures are largest).
#[test]
fn a_request_in_flight_does_not_carry_the_space_of_a_dial() {
    let client = HttpClient::new(Rc::new(ClientConfig::default()));
    let request = client.request(RequestSpec::new(Method::GET, "http://127.0.0.1:1/"));
    let size = std::mem::size_of_val(&request);
    assert!(size < 6 * 1024, "a request's future takes {size} bytes");
}

#[test]
fn each_request_has_its_own_urls_target_and_host_when_urls_alternate() {
    let client = HttpClient::new(Rc::new(ClientConfig::default()));
    let jar = CookieJar::default();
    let sending = Sending {
        headers: &[],
        cookies: &[],
        jar: &jar,
        response_type: ResponseType::Text,
        deadline: tokio::time::Instant::now(),
    };
    let hop = Hop {
        method: Method::GET,
        body: None,
        strip_body_headers: false,
        strip_credentials: false,
        redirected: false,
        authorization: None,
    };
    let a = Url::parse("http://a.test:8080/sessions/1/switch?x=1").unwrap();
    let b = Url::parse("http://b.test/health").unwrap();
    for (url, target, host) in [
        (&a, "/sessions/1/switch?x=1", "a.test:8080"),
        (&a, "/sessions/1/switch?x=1", "a.test:8080"),
        (&b, "/health", "b.test"),
        (&a, "/sessions/1/switch?x=1", "a.test:8080"),
    ] {
        let request = client.build_request(url, &hop, &sending).unwrap();
        assert_eq!(request.uri().to_string(), target, "{url}");
        assert_eq!(request.headers()[HOST], host, "{url}");
    }
}
