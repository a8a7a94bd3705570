//! The standard synthetic workload of the benchmarks: deterministic from a seed, with realistic
//! mixes (Chinese chat text, keyword lists). Shared by the bench files through `#[path]`.

#![allow(dead_code)] // each bench uses part of it

/// A small, fast, deterministic generator (xorshift64*): the same seed gives the same workload
/// on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Common Chinese characters of tea-shop chat, so keywords and messages share an alphabet and
/// keywords really occur in text.
const HANZI: &str = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感茶礼盒价格优惠团购送红袍龙井普洱白毫春秋冬夏新客会员积分活动直播门店";

/// `count` distinct keywords of 2 to 4 characters.
pub fn keywords(count: usize, seed: u64) -> Vec<String> {
    let chars: Vec<char> = HANZI.chars().collect();
    let mut rng = Rng::new(seed);
    let mut out = std::collections::BTreeSet::new();
    while out.len() < count {
        let len = 2 + rng.below(3) as usize;
        let word: String = (0..len).map(|_| *rng.pick(&chars)).collect();
        out.insert(word);
    }
    out.into_iter().collect()
}

/// `count` chat messages of about `chars` characters, some containing one of `keywords`.
pub fn messages(count: usize, chars: usize, keywords: &[String], seed: u64) -> Vec<String> {
    let alphabet: Vec<char> = HANZI.chars().collect();
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let mut text: String = (0..chars).map(|_| *rng.pick(&alphabet)).collect();
            if rng.below(4) == 0 {
                let keyword: &String = rng.pick(keywords);
                text.push_str(keyword);
            }
            text
        })
        .collect()
}

/// `count` customer profiles of `tenant`, each with a phone, an email and a unionid; `dup_percent`
/// of them share their phone with another profile (the same person seen twice).
pub fn profiles(count: usize, dup_percent: u64, seed: u64) -> Vec<scrm_core::Customer> {
    use scrm_core::{Customer, Identity, IdentityKind};
    let mut rng = Rng::new(seed);
    let created = "2026-01-01T00:00:00Z".parse().expect("a time");
    (0..count)
        .map(|i| {
            let person = if i > 0 && rng.below(100) < dup_percent {
                rng.below(i as u64) as usize
            } else {
                i
            };
            let mut c = Customer::new("bench", &format!("c{i}"), created);
            let phone = format!("+86139{:08}", person);
            c.identities.push(Identity {
                kind: IdentityKind::Phone,
                namespace: None,
                scope: None,
                value: phone,
                strong: false,
            });
            c.identities.push(Identity {
                kind: IdentityKind::Email,
                namespace: None,
                scope: None,
                value: format!("u{i}@example.com"),
                strong: false,
            });
            c.identities.push(Identity {
                kind: IdentityKind::WechatUnionid,
                namespace: None,
                scope: None,
                value: format!("o{i:012}"),
                strong: false,
            });
            c
        })
        .collect()
}
