package dev.consilium.rewards.advantage;

import dev.consilium.rewards.verdict.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reward one agent turn of a multi-agent run receives; {@code masked} when its verdict abstained. Turns are
 * named by index and agent, so a trajectory maps onto this with its turn list.
 */
public record TurnCredit(int turn, String agent, double reward, boolean masked) {

    /** The outcome's reward shared by every turn: each agent is credited with how the whole run ended. */
    public static List<TurnCredit> shareOutcome(Verdict outcome, List<String> turnAgents) {
        List<TurnCredit> out = new ArrayList<>();
        for (int i = 0; i < turnAgents.size(); i++) out.add(of(i, turnAgents.get(i), outcome));
        return out;
    }

    /** Each turn's own verdict (a judge scoring turns one by one); {@code turnVerdicts} aligns with {@code turnAgents}. */
    public static List<TurnCredit> perTurn(List<String> turnAgents, List<Verdict> turnVerdicts) {
        if (turnAgents.size() != turnVerdicts.size()) {
            throw new IllegalArgumentException(turnAgents.size() + " turns but " + turnVerdicts.size() + " verdicts");
        }
        List<TurnCredit> out = new ArrayList<>();
        for (int i = 0; i < turnAgents.size(); i++) out.add(of(i, turnAgents.get(i), turnVerdicts.get(i)));
        return out;
    }

    /** Mean reward per agent over its unmasked turns, in first-appearance order; agents with none are left out. */
    public static Map<String, Double> byAgent(List<TurnCredit> credits) {
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (TurnCredit c : credits) {
            if (c.masked) continue;
            double[] a = acc.computeIfAbsent(c.agent, k -> new double[2]);
            a[0] += c.reward;
            a[1]++;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        acc.forEach((agent, a) -> out.put(agent, a[0] / a[1]));
        return out;
    }

    private static TurnCredit of(int turn, String agent, Verdict v) {
        return v instanceof Verdict.Score s ? new TurnCredit(turn, agent, s.normalized(), false) : new TurnCredit(turn, agent, 0, true);
    }
}
