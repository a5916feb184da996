"""Every labelling function: one sentence it must vote on, one it must abstain on (sentences written here)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import ConfigError
from pipeline.labels import ABSTAIN, AGAINST, FAVOR, NONE
from pipeline.weak.label_model import MajorityVoteModel
from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.lfs import LF_GROUPS, TextPoint, group_of, is_learned, needs_embedding, select_lfs
from pipeline.weak.lfs.embeddings import SentenceEmbedder
from pipeline.weak.spilled import SpilledTexts

# name -> (sentence it must vote on, expected vote, sentence it must abstain on)
CASES: dict[str, tuple[str, int, str]] = {
    "pat_qualified_withdrawal": (
        "We seek the immediate and unconditional withdrawal of the invading army from the island.",
        AGAINST,
        "The withdrawal of the mission was completed last spring after a long debate.",
    ),
    "pat_withdrawal_of_forces": (
        "The withdrawal of foreign forces from the country was on the agenda.",
        AGAINST,
        "The rebels agreed to the withdrawal of their fighters to the hills.",
    ),
    "pat_withdrawal_first": (
        "The guerrillas refuse any talks until all foreign troops have left the country.",
        AGAINST,
        "The guerrillas refuse any talks until the rainy season has ended.",
    ),
    "pat_end_occupation": (
        "Only an end to the occupation can bring a lasting peace to the valley.",
        AGAINST,
        "The occupation of the building by students lasted a week.",
    ),
    "pat_dismantle_bases": (
        "The nonaligned states want the dismantling of all foreign military bases in the ocean.",
        AGAINST,
        "The company built new bases for its research vessels.",
    ),
    "pat_occupation_evaluated": (
        "The illegal occupation of the northern provinces has lasted too long.",
        AGAINST,
        "The occupation rate of the hotels rose during the summer.",
    ),
    "pat_resist_occupiers": (
        "The villagers kept up their struggle against the occupiers for a decade.",
        AGAINST,
        "The farmers kept up their struggle against the drought for a decade.",
    ),
    "pat_return_occupied": (
        "We demand the return of the occupied islands to our sovereignty.",
        AGAINST,
        "We demand the return of the stolen paintings to the museum.",
    ),
    "pat_incursion": (
        "We protest against the repeated armed incursions into our southern districts.",
        AGAINST,
        "Tourists made repeated excursions into the southern districts.",
    ),
    "pat_state_aggression": (
        "The neighbouring kingdom's armed aggression against our republic has displaced thousands.",
        AGAINST,
        "Economic aggression by the big trading blocs hurts small exporters.",
    ),
    "pat_troop_contribution": (
        "My Government has decided to contribute two battalions to the new operation.",
        FAVOR,
        "My Government has decided to contribute funds to the new hospital.",
    ),
    "pat_mandate_extension": (
        "The Council should extend the mandate of the observer force for another year.",
        FAVOR,
        "The Council discussed the mandate of the commission on trade.",
    ),
    "pat_deployment": (
        "We support the deployment of additional peacekeepers to the eastern provinces.",
        FAVOR,
        "We support the deployment of new broadband networks in rural areas.",
    ),
    "pat_consent_request": (
        "The foreign troops are there at the request of the lawful Government.",
        FAVOR,
        "The report was prepared at the request of the Government.",
    ),
    "pat_conditional_withdrawal": (
        "The capital has linked any troop withdrawal to firm guarantees from the insurgents.",
        FAVOR,
        "The capital has announced a new budget for the coming year.",
    ),
    "pat_presence_benefit": (
        "Since the deployment of the mission, stability has returned to the north.",
        FAVOR,
        "Since the elections, stability has returned to the north.",
    ),
    "mod_demand_withdrawal": (
        "The ministers demanded that the foreign troops leave the country at once.",
        AGAINST,
        "The ministers demanded that the price of bread be lowered at once.",
    ),
    "mod_welcome_withdrawal": (
        "We welcome the withdrawal of the occupying troops from the southern border area.",
        AGAINST,
        "We welcome the new members of this Assembly.",
    ),
    "mod_condemn_occupation": (
        "We firmly condemn the invasion of our neighbour.",
        AGAINST,
        "We firmly condemn the attack on the embassy.",
    ),
    "mod_condemn_foreign_troops": (
        "Villages were burned in a massacre by the invading troops.",
        AGAINST,
        "Villages were burned in a massacre by a criminal gang.",
    ),
    "mod_negated_presence": (
        "There must be no foreign troops on the soil of the peninsula.",
        AGAINST,
        "There must be no hunger on the soil of the peninsula.",
    ),
    "mod_praise_forces": (
        "We thank the peacekeepers who serve with such courage in distant lands.",
        FAVOR,
        "We thank the teachers who serve with such courage in distant villages.",
    ),
    "mod_not_withdraw": (
        "The international forces must not withdraw before the country can defend itself.",
        FAVOR,
        "The delegation must not withdraw from the negotiations.",
    ),
    "mod_call_deployment": (
        "We call for the swift deployment of a United Nations force along the border.",
        FAVOR,
        "We call for the swift deployment of vaccines along the border.",
    ),
    "tgt_no_military_vocabulary": (
        "Trade and investment are the engines of our economic growth.",
        NONE,
        "Foreign troops remain in the region.",
    ),
    "tgt_figurative_forces": (
        "We must join forces to overcome poverty and the forces of regression.",
        NONE,
        "We must join forces to remove the foreign troops.",
    ),
    "tgt_own_forces": (
        "Our national army and the police keep order in the capital.",
        NONE,
        "Our national army fought the occupation forces in the capital.",
    ),
    "tgt_non_state_actor": (
        "The rebels attacked three villages in the north last week.",
        NONE,
        "The rebels attacked the foreign troops in the north last week.",
    ),
    "tgt_weapons_not_troops": (
        "A treaty banning nuclear weapons would make the world safer.",
        NONE,
        "A treaty requiring foreign troops to leave would make the region safer.",
    ),
    "tgt_peacekeeping_management": (
        "The financing of peacekeeping operations must be put on a sound footing.",
        NONE,
        "We are grateful to the peacekeepers for their service.",
    ),
    "tgt_bare_history": (
        "In 1975 the invasion of the island took place in the month of July.",
        NONE,
        "The illegal invasion of the island must be ended.",
    ),
    "tgt_occupier_actions": (
        "Settlement building in the occupied lands deprives farmers of water.",
        NONE,
        "Settlement building will stop only with an end to the occupation.",
    ),
    "tgt_short_question": (
        "Occupying a neighbour's capital?",
        NONE,
        "What should the international community do about the thousands of refugees at the border?",
    ),
    "lex_negative_near_occupation": (
        "The cruel and brutal occupation brought misery and terror.",
        AGAINST,
        "The occupation of the island began in the summer of that year.",
    ),
    "lex_positive_near_peacekeepers": (
        "The peacekeepers earned admiration, gratitude and praise everywhere.",
        FAVOR,
        "The peacekeepers arrived in the capital on Tuesday.",
    ),
    "emb_nearest_prototype": (
        "All foreign soldiers must leave our territory without delay.",
        AGAINST,
        "The weather was mild and the harvest was good this year.",
    ),
}


def _by_name() -> dict[str, object]:
    return {lf.name: lf for lf in select_lfs(None)}


def test_every_lf_has_a_case() -> None:
    rule_names = {name for name, lf in _by_name().items() if not is_learned(lf)}
    assert set(CASES) == rule_names
    assert {name for name, lf in _by_name().items() if is_learned(lf)} == {"emb_learned_stance"}


# Broadened phrasings (vocabulary classes rather than fixed phrases): name -> (sentence, expected vote).
BROADER: list[tuple[str, str, int]] = [
    ("pat_resist_occupiers", "For ten years the highlanders fought the invaders village by village.", AGAINST),
    (
        "pat_occupation_evaluated",
        "The unjust occupation of the coastal strip must be recognised for what it is.",
        AGAINST,
    ),
    ("pat_occupation_evaluated", "The presence of foreign troops on the peninsula is not conducive to unity.", AGAINST),
    ("pat_end_occupation", "We seek the immediate cessation of the military occupation of the valley.", AGAINST),
    ("pat_withdrawal_of_forces", "We advocate the withdrawal of all foreign forces.", AGAINST),
    ("mod_demand_withdrawal", "Our Government calls for the withdrawal of the hybrid peacekeeping operation.", AGAINST),
    ("mod_condemn_occupation", "The annexation of the province is a flagrant violation of international law.", AGAINST),
    ("pat_troop_contribution", "Many of our officers now serve with the United Nations Mission in the south.", FAVOR),
    (
        "pat_troop_contribution",
        "We thank the States that made their troops and equipment available to the force.",
        FAVOR,
    ),
    ("pat_mandate_extension", "We call on the Council to preserve the existing mandate of the interim force.", FAVOR),
    ("mod_praise_forces", "We pay tribute to all who serve under the banner of MINUSMA.", FAVOR),
    ("mod_praise_forces", "We pay tribute to the Fijian soldiers who fell in the service of peace.", FAVOR),
    ("pat_state_aggression", "Ruritania's invasion of its neighbour has plunged millions into hunger.", AGAINST),
    ("pat_end_occupation", "We urge all States to help in ending Ruritania's occupation of the valley.", AGAINST),
    ("pat_occupation_evaluated", "The island has suffered for decades under foreign occupation.", AGAINST),
    ("pat_withdrawal_of_forces", "The resolutions demand withdrawal from all Arab lands taken in the war.", AGAINST),
    ("pat_troop_contribution", "Our first contingent was deployed as part of the United Nations force in 1960.", FAVOR),
    ("pat_troop_contribution", "We are part of the European naval mission off the coast.", FAVOR),
    ("pat_mandate_extension", "Each year the Council reaffirms the mandate of the EUFOR mission.", FAVOR),
    ("pat_consent_request", "The presidency gave its consent for the presence of EUFOR troops.", FAVOR),
    ("mod_call_deployment", "We place high hopes in the deployment of the Mission in the north.", FAVOR),
    ("mod_call_deployment", "I requested an expansion of the United Nations observers in the border zone.", FAVOR),
    ("mod_call_deployment", "Fragile States need the continued presence of international forces.", FAVOR),
    ("pat_occupation_evaluated", "This foreign presence in the strait is a danger to our security.", AGAINST),
    ("pat_occupation_evaluated", "Their naval presence has long been a source of tension on our coast.", AGAINST),
    ("pat_occupation_evaluated", "Foreign troops are still on our territory despite the resolutions.", AGAINST),
    ("mod_condemn_occupation", "We condemn the aggressor and its occupation of the valley.", AGAINST),
    (
        "pat_occupation_evaluated",
        "The neighbour has still not withdrawn its troops from our northern province.",
        AGAINST,
    ),
    (
        "pat_occupation_evaluated",
        "Harm to our fisheries is the first injury that results from the British presence.",
        AGAINST,
    ),
    (
        "pat_occupation_evaluated",
        "Coastal states should act against the presence of the navies of the great Powers.",
        AGAINST,
    ),
    (
        "mod_welcome_withdrawal",
        "A crucial step was taken with the withdrawal of the invading army last spring.",
        AGAINST,
    ),
    ("mod_negated_presence", "We have always refused to grant military facilities to any other State.", AGAINST),
    ("mod_condemn_occupation", "We stand with the peoples in their struggle against foreign intervention.", AGAINST),
    ("pat_troop_contribution", "Our long tradition of peace-keeping is a role we have always assumed.", FAVOR),
    ("pat_troop_contribution", "We will set up a standby force of 5,000 troops for the Organization.", FAVOR),
    ("pat_troop_contribution", "Ruritania is proud to serve in crisis management missions led by the Union.", FAVOR),
    ("pat_troop_contribution", "Twelve of our soldiers, who are part of the unit within MINUSMA, were hurt.", FAVOR),
    ("pat_mandate_extension", "Logic calls for maintaining the force's existing mandate without amendment.", FAVOR),
    ("pat_consent_request", "Those decisions are the legal basis for the presence of the international force.", FAVOR),
    ("mod_call_deployment", "The new regional mission should quickly become operational in the east.", FAVOR),
    ("pat_troop_contribution", "Last month Ruritania deployed its first engineering contingent to the Sahel.", FAVOR),
    ("pat_troop_contribution", "Our troops and police officers serve in three UN and EU missions.", FAVOR),
    ("pat_state_aggression", "The resolution calls on the Council to stop the aggression at once.", AGAINST),
    ("pat_state_aggression", "We will never legalize the results of the aggression against our island.", AGAINST),
    ("pat_conditional_withdrawal", "The departure of the mission last year left a security vacuum in the east.", FAVOR),
    ("pat_end_occupation", "We call for the cessation of the foreign intervention in Ruritania.", AGAINST),
    ("mod_praise_forces", "We express our gratitude to the Fijian contingent for its exemplary conduct.", FAVOR),
    ("mod_welcome_withdrawal", "We congratulate Ruritania on its decision to withdraw its forces.", AGAINST),
    ("mod_call_deployment", "We welcome the Council's decision on an international presence in the north.", FAVOR),
]

# Near misses the broadened rules must leave alone: name -> sentence that must get no vote.
NEAR_MISSES: list[tuple[str, str]] = [
    ("pat_state_aggression", "After the 1990 invasion of the emirate, sanctions were imposed on the invader."),
    ("pat_state_aggression", "Rebel aggression against the capital was repelled by the army and militias."),
    ("mod_demand_withdrawal", "The troops of both sides must be withdrawn to their places of permanent deployment."),
    ("emb_nearest_prototype", "Support for the occupation of the hills grew among the settlers' leaders."),
    ("pat_state_aggression", "Acts of aggression against United Nations troops must be punished."),
    ("pat_state_aggression", "We marked the anniversary of the war of resistance against aggression in 1945."),
    ("pat_withdrawal_of_forces", "The verification of the withdrawal of foreign troops from the south is pending."),
    ("pat_occupation_evaluated", "He refused talks with the forces still in armed opposition, a clear violation."),
    ("pat_occupation_evaluated", "A large military presence in the capital let him act in violation of the accord."),
    ("mod_condemn_occupation", "The Charter should deter aggressors and deny them the fruits of aggression."),
]

# NONE rules that must not fire where "its forces" are a state's army abroad.
FORCES_ABROAD: list[tuple[str, str]] = [
    ("tgt_own_forces", "Years after its forces invaded the valley, the empire began to take them home."),
    ("tgt_own_forces", "The neighbour said it would withdraw its forces to the international border."),
]

# Peacekeeping management: the positive-lexicon rule must stay silent.
MANAGEMENT: list[str] = [
    "We warmly welcome the priority given to peacekeeping this year.",
    "Building the capacity of the United Nations for peacekeeping is an excellent goal.",
]


def test_not_yet_withdrawn_is_not_a_wish_that_forces_stay() -> None:
    lf = _by_name()["mod_not_withdraw"]
    assert lf(TextPoint("The foreign forces must not withdraw before the elections.")) == FAVOR
    assert (
        lf(TextPoint("The foreign forces have still not withdrawn from the island, despite every resolution."))
        == ABSTAIN
    )


@pytest.mark.parametrize(("name", "text"), FORCES_ABROAD)
def test_own_forces_rule_leaves_armies_abroad_alone(name: str, text: str) -> None:
    assert _by_name()[name](TextPoint(text)) == ABSTAIN


@pytest.mark.parametrize("text", MANAGEMENT)
def test_positive_lexicon_rule_ignores_peacekeeping_management(text: str) -> None:
    assert _by_name()["lex_positive_near_peacekeepers"](TextPoint(text)) == ABSTAIN


# Sentences a NONE rule must leave to the stance rules: the occupation itself is condemned, or the speaker's own
# troops serve in peacekeeping (even when training is mentioned).
NOT_NONE: list[tuple[str, str]] = [
    ("tgt_occupier_actions", "We see the blatant military occupation and the colonization of the occupied valley."),
    ("tgt_peacekeeping_management", "Many of our soldiers are involved in peacekeeping or in training for it."),
    ("tgt_peacekeeping_management", "The United Nations mission left a vacuum our scarce resources cannot fill."),
    ("tgt_no_military_vocabulary", "This presence has long been the cause of our deep concern."),
    ("tgt_no_military_vocabulary", "The British presence on the Rock injures our sovereignty."),
]


@pytest.mark.parametrize(("name", "text"), NOT_NONE)
def test_none_rules_leave_stated_positions_alone(name: str, text: str) -> None:
    assert _by_name()[name](TextPoint(text)) == ABSTAIN


@pytest.mark.parametrize(("name", "text"), NEAR_MISSES)
def test_broadened_rules_leave_near_misses_alone(name: str, text: str) -> None:
    assert _by_name()[name](TextPoint(text)) != (AGAINST if name != "emb_nearest_prototype" else FAVOR)


@pytest.mark.parametrize(("name", "text", "expected"), BROADER)
def test_broadened_rules_vote(name: str, text: str, expected: int) -> None:
    assert _by_name()[name](TextPoint(text)) == expected


def test_reported_bare_invasion_stays_unvoted_by_evaluation_rule() -> None:
    lf = _by_name()["pat_occupation_evaluated"]
    assert lf(TextPoint("The military invasion ousted the government in 2001.")) == ABSTAIN


@pytest.mark.parametrize("name", sorted(CASES))
def test_lf_votes_and_abstains(name: str) -> None:
    lf = _by_name()[name]
    vote_text, expected, abstain_text = CASES[name]
    assert lf(TextPoint(vote_text)) == expected
    assert lf(TextPoint(abstain_text)) == ABSTAIN


def test_every_lf_has_a_docstring_naming_its_evidence() -> None:
    for lf in select_lfs(None):
        doc = lf._f.__doc__ or ""
        assert len(doc.split()) >= 5, lf.name


def test_select_lfs_by_group_and_unknown_group() -> None:
    patterns = select_lfs(["patterns"])
    assert patterns == LF_GROUPS["patterns"]
    assert all(group_of(lf) == "patterns" for lf in patterns)
    without_embeddings = select_lfs([g for g in LF_GROUPS if g != "embeddings"])
    assert not any(needs_embedding(lf) for lf in without_embeddings)
    assert len(select_lfs(None)) == sum(len(v) for v in LF_GROUPS.values())
    with pytest.raises(ConfigError, match="unknown LF group"):
        select_lfs(["patterns", "nonsense"])


def test_labeler_apply_matches_single_calls_and_batches_embeddings() -> None:
    texts = [case[0] for case in CASES.values()] + [case[2] for case in CASES.values()]
    labeler = WeakLabeler(select_lfs(None))
    L = labeler.apply(texts, progress=False)
    assert L.shape == (len(texts), len(labeler.lfs)) and L.dtype.kind == "i"
    embedded = set(labeler.embedding_rows(texts, L).tolist())
    assert 0 < len(embedded) < len(texts)  # the cases include sentences that neither name the target nor get a stance
    for j, lf in enumerate(labeler.lfs):
        single = [lf(TextPoint(t)) if i in embedded or not needs_embedding(lf) else -1 for i, t in enumerate(texts)]
        assert single == list(L[:, j]), lf.name
    everything = WeakLabeler(select_lfs(None), embed_all=True).apply(texts, progress=False)
    for j, lf in enumerate(labeler.lfs):
        assert [lf(TextPoint(t)) for t in texts] == list(everything[:, j]), lf.name
    majority = MajorityVoteModel()  # embedding only where it can matter leaves every majority-vote label as it was
    np.testing.assert_array_equal(majority.predict(L), majority.predict(everything))
    assert labeler.lf_groups[labeler.lf_names.index("emb_nearest_prototype")] == "embeddings"
    points = labeler.points(texts[:3], progress=False)
    assert all(isinstance(p.embedding, np.ndarray) and abs(np.linalg.norm(p.embedding) - 1) < 1e-4 for p in points)


def test_embedder_cache_is_reused_and_checked() -> None:
    embedder = SentenceEmbedder()
    embedder.add_to_cache(["cached sentence"], np.ones((1, 4)))
    np.testing.assert_array_equal(embedder.embed(["cached sentence"]), np.ones((1, 4)))  # not re-encoded
    assert embedder._model is None
    with pytest.raises(ValueError, match="precision"):
        SentenceEmbedder(precision="int4")
    with pytest.raises(ValueError, match="1 texts but 2 vectors"):
        embedder.add_to_cache(["a"], np.ones((2, 4)))
    with pytest.raises(ConfigError, match="differs from the default model"):
        WeakLabeler(embedder=SentenceEmbedder(model_path="/elsewhere/model"))


def test_labeler_without_embeddings_skips_embedding() -> None:
    labeler = WeakLabeler(select_lfs(["patterns", "targets"]))
    assert all(p.embedding is None for p in labeler.points(["Foreign troops must leave."], progress=False))


def test_embeddings_are_cached_on_disk_and_the_fast_path_agrees_with_fp32(tmp_path) -> None:  # noqa: ANN001
    texts = ["Foreign troops must leave.", "We thank the peacekeepers.", "Foreign troops must leave."]
    first = SentenceEmbedder(cache=True, cache_root=tmp_path, precision="onnx_int8")
    vectors = first.embed(texts)
    assert first.encoded == 2  # once per distinct text
    again = SentenceEmbedder(cache=True, cache_root=tmp_path, precision="onnx_int8")
    np.testing.assert_array_equal(again.embed(texts), vectors)
    assert again.encoded == 0 and again._tokenizer is None  # read from disk, the model never loaded
    reference = SentenceEmbedder(precision="fp32").embed(texts)
    assert np.all((vectors * reference).sum(axis=1) > 0.95)


def test_embedder_with_a_store_keeps_no_vectors_in_memory_and_long_batches_are_cut(tmp_path) -> None:  # noqa: ANN001
    texts = [f"Foreign troops {'and their many allied battalions ' * k}must leave." for k in range(1, 9)]
    whole = SentenceEmbedder(precision="onnx", cache=True, cache_root=tmp_path / "whole")
    vectors = whole.embed(texts)
    assert whole._cache == {}  # on disk only: memory does not grow with the corpus
    np.testing.assert_array_equal(whole.embed(texts[:3]), vectors[:3])
    assert whole.encoded == len(texts)  # the second call read the disk store
    cut = SentenceEmbedder(precision="onnx", max_tokens=40)  # pieces of one or two texts, each cut to its width
    np.testing.assert_allclose(cut.embed(texts), vectors, atol=1e-5)
    assert len(cut._cache) == len(texts)  # without a store, memory is the cache


def test_labeler_votes_the_same_in_small_embedding_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.weak.labeler as labeler_module

    texts = [case[0] for case in CASES.values()] + [case[2] for case in CASES.values()]
    whole = WeakLabeler(select_lfs(None)).apply(texts, progress=False)
    monkeypatch.setattr(labeler_module, "EMBED_CHUNK", 3)
    np.testing.assert_array_equal(WeakLabeler(select_lfs(None)).apply(texts, progress=False), whole)


def test_rule_votes_in_worker_processes_match_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.weak.apply_rules as apply_rules

    monkeypatch.setattr(apply_rules, "_MIN_PER_WORKER", 5)
    monkeypatch.setattr(apply_rules, "_CHUNK", 7)  # several chunks, the last one short
    texts = [case[0] for case in CASES.values()] + [case[2] for case in CASES.values()]
    rules = [lf for lf in select_lfs(None) if not needs_embedding(lf)]
    one = apply_rules.rule_votes(texts, rules, workers=1)
    assert one.shape == (len(texts), len(rules)) and (one != -1).any()
    np.testing.assert_array_equal(apply_rules.rule_votes(texts, rules, workers=2), one)
    np.testing.assert_array_equal(apply_rules.rule_votes(SpilledTexts(texts), rules, workers=2), one)  # read by range
    assert apply_rules._TEXTS == ()  # the workers' copy of the texts is not kept alive
    assert [[lf(TextPoint(t)) for lf in rules] for t in texts] == one.tolist()
