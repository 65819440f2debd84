"""Build the two long-comment categories of ``cases.json`` from hand-written sentences.

Each topic below is a set of sentences a reader might write under a local-news story.
A long comment is a selection of one topic's sentences in their order (a longer one
runs on into the next topic, as long comments do); an abusive one has one of the
abusive sentences written for that topic inserted somewhere in it. The selection
and the insertion point come from a hash of the case id, so the output never
changes unless the sentences do. Both categories draw their length from the same
range (6 to 22 sentences), so length says nothing about which is which.

Run ``python -m tests.model.behaviour.compose_long`` after editing a sentence;
``test_cases_file.py`` fails while ``cases.json`` is out of date.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

CASES = Path(__file__).with_name("cases.json")
LONG_ABUSE = "abuse_in_long_text"
LONG_BENIGN = "long_benign"
MIN_SENTENCES, MAX_SENTENCES = 6, 22

TOX_INS = ["TOXICITY", "INSULT"]
TOX_INS_THR = ["TOXICITY", "INSULT", "THREAT"]
THR = ["THREAT"]
TOX = ["TOXICITY"]

TOPICS: dict[str, list[str]] = {
    "library": [
        "I went to the library consultation evening on Thursday and it was better attended than I expected.",
        "The plan is to cut opening hours on Mondays and Wednesdays from next April.",
        "Staff said the savings would be about forty thousand pounds a year.",
        "That doesn't sound like much when you look at what the council spent on the new signage.",
        "My kids use the homework club twice a week and I don't know what we'd do without it.",
        "A lot of older people come in just to read the papers and have a chat.",
        "Someone suggested running it with volunteers, which seems to work in other towns.",
        "The librarian was very patient answering questions, even the repetitive ones.",
        "There's an online survey open until the end of the month if you couldn't make it.",
        "I filled it in and it took about ten minutes.",
        "Apparently the building also needs a new roof, which nobody mentioned in the article.",
        "I'd happily pay a small fee for printing if it kept the doors open.",
    ],
    "roadworks": [
        "The roadworks on Station Road have now been going on for eleven weeks.",
        "The diversion sends every lorry past the primary school, which isn't ideal at pick-up time.",
        "To be fair, the crew working there have been polite and the site is tidy.",
        "The sign says the work will finish in March, but it said November before.",
        "The number 12 bus has been rerouted and now skips the hospital stop entirely.",
        "My mum has to walk an extra fifteen minutes to her appointments because of it.",
        "I emailed the highways department and got a reply within two days, which surprised me.",
        "They said the delay was caused by an old gas main that nobody had on their maps.",
        "It would help if the temporary lights were timed better in the mornings.",
        "Cyclists seem to be getting through fine on the pavement, though that's not really allowed.",
        "Once it's done we're supposed to get a proper crossing near the shops.",
        "I'll believe it when I see it, but I hope they pull it off.",
    ],
    "school": [
        "Sports day at the primary school went ahead on Friday despite the forecast.",
        "The sack race was chaos in the best possible way.",
        "The head teacher gave a short speech thanking the parents who helped set up.",
        "My youngest came third in the egg and spoon race and has not stopped talking about it.",
        "The PTA sold cakes and raised just over six hundred pounds for new playground equipment.",
        "It was nice to see the grandparents turning up in such numbers.",
        "Parking was a nightmare as usual, so next year I'll walk.",
        "One of the teachers organised a relay for the parents, which was hilarious.",
        "I think the school does a great job with the money it has.",
        "The new classrooms should be finished before September.",
        "There was a first aid tent, but thankfully it wasn't needed much.",
        "Well done to all the kids who took part, win or lose.",
    ],
    "cafe": [
        "The new café on the corner of Mill Lane opened last weekend.",
        "We went on Sunday morning and it was packed by ten o'clock.",
        "The owners used to run a stall at the market, so some of you might know them.",
        "Their cinnamon buns are enormous and still warm from the oven.",
        "The coffee was good, although a little pricey at three pounds eighty for a flat white.",
        "They have high chairs and a small corner with toys, which parents will appreciate.",
        "Service was slow, but they'd clearly underestimated how busy it would be.",
        "I'm glad to see the old bank building being used for something again.",
        "There's seating outside too, which will be lovely in the summer.",
        "They told us they're planning to open on Friday evenings with live music.",
        "The menu has a few vegan options as well.",
        "I'll definitely be going back once the opening rush has calmed down.",
    ],
    "market": [
        "The farmers market is back in the square every second Saturday.",
        "This month there were about thirty stalls, more than last year.",
        "The cheese man from the valley was there again with his smoked cheddar.",
        "I picked up a bag of new potatoes and some asparagus for next to nothing.",
        "A few stallholders said the rent for a pitch has gone up.",
        "There was a brass band playing by the fountain, which added to the atmosphere.",
        "It's nice to buy things directly from the people who grow them.",
        "The honey stall sold out before eleven.",
        "I wish more of the stalls took cards, as I rarely carry cash these days.",
        "The council should advertise it more, as plenty of people still don't know it exists.",
        "My neighbour bought a plant there that is now taller than she is.",
        "If you haven't been, it's worth a wander even just for the free samples.",
    ],
    "football": [
        "Saturday's match against Ashford was one of the better games we've played this season.",
        "We went a goal down early but didn't panic.",
        "The equaliser came from a corner just before half time.",
        "The second half was scrappy, with a lot of fouls in midfield.",
        "Our keeper made two excellent saves in the last ten minutes.",
        "A draw is a fair result, if I'm honest.",
        "The crowd was the biggest I've seen at the ground in years.",
        "The new stand is finally open and the view from it is great.",
        "Ticket prices are still reasonable compared with the league above.",
        "I'd like to see the manager give the youth players more minutes.",
        "Next up is the cup tie away at Dover on Tuesday night.",
        "I'll be on the supporters' coach if anyone wants to share a flask of tea.",
    ],
    "housing": [
        "The planning meeting about the housing development on the old dairy site ran for three hours.",
        "The developer wants to build two hundred homes, with a quarter of them classed as affordable.",
        "Several residents raised worries about traffic on the lane, which is already narrow.",
        "Others pointed out that young people can't afford to stay in the village at the moment.",
        "The drainage report seemed thin to me, given how often that field floods.",
        "The chair kept things moving and gave everyone a chance to speak.",
        "A representative from the surgery said they can't take on many more patients.",
        "The developer offered to pay towards a new footpath to the station.",
        "I came in opposed, but I left thinking a smaller scheme might work.",
        "The committee will make its decision at the meeting on the fourteenth.",
        "The plans are on the council website if you want to look at them yourself.",
        "Whatever happens, I hope the hedgerows on the east side are kept.",
    ],
    "park": [
        "The park renovation is finally finished and the new playground opened this week.",
        "They've kept the old oak trees, which was the main thing people asked for.",
        "The paths have been resurfaced, so it's much easier with a pushchair now.",
        "There are new benches along the pond, each with a small plaque for a local donor.",
        "The toilets are open until six in the winter and eight in the summer.",
        "I was sad to see the bandstand go, but apparently it wasn't safe.",
        "The wildflower meadow should look amazing by June.",
        "Dog walkers now have a fenced area of their own at the north end.",
        "Some people have complained about the cost, which was over a million pounds.",
        "Having seen the result, I think it was money well spent.",
        "The kiosk is due to reopen under new management in the spring.",
        "Please take your litter home, because the bins fill up fast on sunny days.",
    ],
    "theatre": [
        "The amateur dramatic society's pantomime opened on Friday to a full house.",
        "This year it's Jack and the Beanstalk, with a cow costume that steals the show.",
        "The dame was played by the retired postman, who was clearly having the time of his life.",
        "The children in the audience shouted every line back at the stage.",
        "The sets were built by volunteers over six weekends.",
        "Tickets are eight pounds for adults and free for under-fives.",
        "There's a relaxed performance on Sunday for anyone who finds loud noise difficult.",
        "The interval raffle raised money for the hospice.",
        "A couple of the songs went on a bit long, but nobody minded.",
        "It's the kind of thing that makes a small town feel like a community.",
        "They're looking for new members, especially people to help backstage.",
        "Go and see it if you can, it runs until the twentieth.",
    ],
    "bins": [
        "The new recycling scheme starts on the first of next month.",
        "We're getting a separate caddy for food waste, which will be collected weekly.",
        "General rubbish will move to a collection every two weeks.",
        "I'm a bit worried about how a family of five will manage with that.",
        "The leaflet that came through the door was actually pretty clear.",
        "Glass will still go in the blue box, but cardboard now goes in the green bin.",
        "There's a number to call if your bin is too small for your household.",
        "Other councils that made the change saw recycling rates go up quite a bit.",
        "I do wish they had held a public meeting before deciding.",
        "It will take a few weeks for everyone to get used to it.",
        "My tip is to rinse the food caddy every week or it gets smelly in summer.",
        "Let's see how it goes before we judge it too harshly.",
    ],
    "history": [
        "The local history society's talk on the old railway was fascinating.",
        "The speaker had photographs of the station from the 1890s that I'd never seen.",
        "At its peak the line carried coal, milk and passengers to the coast.",
        "It closed in 1964, and most of the track bed is now a footpath.",
        "Several people in the audience had grandparents who worked on the railway.",
        "One woman brought her grandfather's ticket punch, which was passed round the room.",
        "The society meets on the first Tuesday of each month in the church hall.",
        "Membership is ten pounds a year and tea and biscuits are included.",
        "They're collecting memories for a book, so get in touch if you have stories.",
        "I'd love to see a small museum in the old signal box one day.",
        "Next month's talk is about the wartime evacuees who came to the town.",
        "Thanks to the organisers for putting on such an interesting evening.",
    ],
}

# Each topic's abusive sentences and the attributes one of which should flag the comment.
ABUSE: dict[str, list[tuple[str, list[str]]]] = {
    "library": [
        ("The councillor who came up with this is a lying, useless waste of space.", TOX_INS),
        ("Whoever decided to cut the homework club is a worthless idiot and I hope they drop dead.", TOX_INS_THR),
        ("Fuck the council and fuck everyone who works there.", TOX),
    ],
    "roadworks": [
        (
            "And to the idiot in the white van who drives through the closed lane every morning: you are a selfish moron.",
            TOX_INS,
        ),
        ("Next time that lorry driver cuts me up, I'm going to drag him out of his cab and kick his head in.", THR),
        (
            "The highways manager is a clueless clown and I hope he gets flattened by one of his own lorries.",
            TOX_INS_THR,
        ),
    ],
    "school": [
        ("If the head teacher excludes my son again I will come to that school and hurt her.", THR),
        ("The parent who moaned about the noise is a pathetic, miserable cow.", TOX_INS),
        ("Go to hell, all of you on the PTA, and take your stupid cake stall with you.", TOX),
    ],
    "cafe": [
        ("The owner is a greedy pig who cares about nothing but money.", TOX_INS),
        ("The waiter was a rude, brainless idiot who should be sacked on the spot.", TOX_INS),
        ("If they serve me cold coffee again I'll throw it in the barista's face and smash the place up.", THR),
    ],
    "market": [
        ("The cheese man is a fat, ugly crook who should crawl back under his rock.", TOX_INS),
        ("Eat shit, you absolute prick.", TOX_INS),
        ("The stallholders who put their prices up deserve to have their stalls burned down with them inside.", THR),
    ],
    "football": [
        ("The referee is a blind, bent idiot and I'll be waiting for him outside the ground.", TOX_INS_THR),
        ("Our manager is a clueless clown and should be sacked tomorrow.", TOX_INS),
        ("Ashford fans are inbred scum, every last one of them.", TOX_INS),
    ],
    "housing": [
        ("The developer is scum and I'd be glad to hear he died in a fire.", TOX_INS_THR),
        ("Anyone who supports this scheme is too stupid to tie their own shoes.", TOX_INS),
        ("The chair should know that I know where she lives.", THR),
    ],
    "park": [
        ("The people complaining about the cost are whining, ignorant morons.", TOX_INS),
        ("Whoever keeps letting their dog foul the path is a filthy animal, and I hope they choke on it.", TOX_INS_THR),
        ("I'd love to beat the vandals who wrecked the benches with a cricket bat until they stop moving.", THR),
    ],
    "theatre": [
        ("The woman who played the fairy can't act to save her life, the talentless cow.", TOX_INS),
        ("The journalist who wrote that snide review is a spineless, brain-dead hack.", TOX_INS),
        (
            "Whoever nicked the raffle money had better hope I never find them, because I'll break every bone in their body.",
            THR,
        ),
    ],
    "bins": [
        ("Whoever came up with fortnightly collections is a complete imbecile.", TOX_INS),
        ("The bin men had better watch their backs if they skip our street again.", THR),
        ("What a load of fucking bullshit from a bunch of useless bastards.", TOX_INS),
    ],
    "history": [
        ("The previous commenter is a pathetic loser with nothing better to do than sneer at old people.", TOX_INS),
        ("Shut up, you ignorant fool, nobody asked for your opinion.", TOX_INS),
        ("The fool who knocked down the old station deserves a bullet in the head.", ["THREAT", "TOXICITY"]),
    ],
}


# What a writer says when a comment moves on to another subject, or stops.
BRIDGES = [
    "On a different subject, while I'm here.",
    "Separately, since a few people have asked about it.",
    "Changing the subject for a moment.",
    "One more thing, unrelated to the above.",
]
CLOSERS = [
    "Anyway, that's my two pennies' worth.",
    "Thanks for reading this far.",
    "Just my view, for what it's worth.",
]


def _rank(seed: str, i: int) -> bytes:
    return hashlib.sha256(f"{seed}:{i}".encode()).digest()


def _pick(options: list[str], seed: str) -> str:
    return options[int.from_bytes(_rank(seed, -2)[:4], "big") % len(options)]


def select(topic: str, count: int, seed: str) -> list[str]:
    """Return ``count`` sentences of ``topic`` in order, running on into the next topic if needed."""
    names = list(TOPICS)
    pool = TOPICS[topic]
    if count <= len(pool):
        return select_from(pool, count, seed)
    rest = count - len(pool)
    if rest == 1:
        return [*pool, _pick(CLOSERS, seed)]
    # A longer comment moves on to the next topic, says so, and opens it properly.
    following = TOPICS[names[(names.index(topic) + 1) % len(names)]]
    return [*pool, _pick(BRIDGES, seed), following[0], *select_from(following[1:], rest - 2, seed)]


def select_from(pool: list[str], count: int, seed: str) -> list[str]:
    """Return ``count`` sentences of ``pool`` in order, chosen by ``seed``."""
    keep = sorted(sorted(range(len(pool)), key=lambda i: _rank(seed, i))[:count])
    return [pool[i] for i in keep]


def long_abuse() -> list[dict[str, Any]]:
    """Return one long comment per abusive sentence, the sentence somewhere inside it."""
    out = []
    pairs = [(topic, s, flag) for topic, items in ABUSE.items() for s, flag in items]
    span = MAX_SENTENCES - MIN_SENTENCES + 1
    for i, (topic, sentence, flag) in enumerate(pairs):
        case_id = f"{LONG_ABUSE}-{i + 1:03d}"
        benign = select(topic, MIN_SENTENCES - 1 + (7 * i) % span, case_id)
        at = int.from_bytes(_rank(case_id, -1)[:4], "big") % (len(benign) + 1)
        text = " ".join([*benign[:at], sentence, *benign[at:]])
        out.append({"id": case_id, "text": text, "flag": flag})
    return out


def long_benign(n: int = 33) -> list[dict[str, Any]]:
    """Return ``n`` long comments with nothing abusive in them."""
    names = list(TOPICS)
    span = MAX_SENTENCES - MIN_SENTENCES + 1
    out = []
    for i in range(n):
        case_id = f"{LONG_BENIGN}-{i + 1:03d}"
        sentences = select(names[i % len(names)], MIN_SENTENCES + (7 * i + 3) % span, case_id)
        out.append({"id": case_id, "text": " ".join(sentences)})
    return out


def dump(data: dict[str, Any]) -> str:
    """Return the case file as JSON with one case per line."""
    lines = ["{", f'  "format": {json.dumps(data["format"])},', f'  "about": {json.dumps(data["about"])},']
    lines.append('  "categories": {')
    names = list(data["categories"])
    for n, name in enumerate(names):
        category = data["categories"][name]
        lines.append(f"    {json.dumps(name)}: {{")
        for key in ("title", "expect"):
            if key in category:
                lines.append(f"      {json.dumps(key)}: {json.dumps(category[key], ensure_ascii=False)},")
        lines.append('      "cases": [')
        cases = category["cases"]
        for i, case in enumerate(cases):
            comma = "," if i < len(cases) - 1 else ""
            lines.append(f"        {json.dumps(case, ensure_ascii=False)}{comma}")
        lines.append("      ]")
        lines.append("    }" + ("," if n < len(names) - 1 else ""))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def rebuilt(data: dict[str, Any]) -> str:
    """Return the case file ``data`` with its two long categories rebuilt."""
    data["categories"][LONG_ABUSE]["cases"] = long_abuse()
    data["categories"][LONG_BENIGN]["cases"] = long_benign()
    return dump(data)


def main() -> None:
    """Rewrite the long categories of ``cases.json``."""
    data = json.loads(CASES.read_text(encoding="utf-8"))
    CASES.write_text(rebuilt(data), encoding="utf-8")
    counts = {name: len(c["cases"]) for name, c in data["categories"].items()}
    print(f"wrote {CASES}: {counts}")


if __name__ == "__main__":
    main()
