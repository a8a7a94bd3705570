//! Chat messages customers send, in Chinese, by what they say: some hit the sample playbook's
//! keyword rules (价格 → 高意向, 礼盒 → 企业礼品, 太贵了 → 低意向), most are small talk.

/// Asking about prices and offers (kw_price: 多少钱 / 价格 / 报价 / 优惠 / 团购).
pub const PRICE: &[&str] = &[
    "你好，大红袍礼盒装多少钱？",
    "明前龙井现在什么价格？",
    "可以发一份报价单给我吗",
    "最近有优惠活动吗？",
    "公司想团购五十盒，能便宜点吗",
    "白毫银针半斤多少钱",
    "会员价格和直播间一样吗",
    "普洱饼茶批量采购怎么报价",
];

/// Gifts and company purchases (kw_gift: 送礼 / 礼盒 / 伴手礼 / 企业采购).
pub const GIFT: &[&str] = &[
    "中秋想送礼，有什么推荐",
    "礼盒可以印公司的logo吗",
    "想买些伴手礼带给客户",
    "我们企业采购需要开发票",
    "送长辈的话选哪款礼盒好",
];

/// Not now (kw_not_now: 不需要 / 太贵了 / 再看看).
pub const NOT_NOW: &[&str] = &[
    "太贵了，我再看看",
    "暂时不需要，谢谢",
    "先收藏，过段时间再看看",
];

/// Small talk that hits no rule.
pub const NEUTRAL: &[&str] = &[
    "收到了，谢谢",
    "这个茶怎么泡比较好喝？",
    "快递到哪里了",
    "上次买的茶味道不错",
    "水温要多少度",
    "好的，明天联系",
    "周末门店几点开门",
    "能寄到成都吗",
    "直播什么时候开始",
    "茶叶怎么保存",
];
