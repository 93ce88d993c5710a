// Medicine: dosage by body weight (hard: weight in pounds, split into doses),
// BMI (medium: height in cm; hard: imperial units with the 703 factor), and
// sensitivity / specificity / Youden index from a file of test results (both modes).
import { Domain } from '@datarus/contracts';
import { toCsv, type Cell } from '../csv.js';
import { fmt, py, shown } from '../format.js';
import { traceback, type TaskGenerator } from '../task-spec.js';

export const dosage: TaskGenerator = (rng, difficulty) => {
  const mgPerKg = rng.pick([2, 5, 7.5, 10, 12.5, 15]);
  if (difficulty < 3) {
    const kg = difficulty === 1 ? rng.int(8, 90) : rng.float(8, 90, 1);
    const dose = shown(mgPerKg * kg, 4);
    return {
      kind: 'medicine.dosage',
      domain: Domain.DOMAIN_MEDICINE,
      difficulty,
      prompt: `A drug is dosed at ${mgPerKg} mg/kg. What dose (mg) does a patient of ${kg} kg get?`,
      files: [],
      answer: { number: dose, unit: 'mg', dp: 2 },
      reasoning: [`Dose = mg/kg × weight.`, `${mgPerKg} * ${kg} = ${fmt(dose)}`],
    };
  }
  const lb = rng.int(20, 220);
  const doses = rng.pick([2, 3, 4]);
  const kg = shown(lb * 0.45359237, 4);
  const daily = shown(mgPerKg * kg, 4);
  const each = daily / doses;
  return {
    kind: 'medicine.dosage',
    domain: Domain.DOMAIN_MEDICINE,
    difficulty,
    prompt: `A drug is dosed at ${mgPerKg} mg/kg per day, split into ${doses} equal doses. The patient weighs ${lb} lb (1 lb = 0.45359237 kg). How many mg per dose?`,
    files: [],
    answer: { number: shown((mgPerKg * lb * 0.45359237) / doses, 2), unit: 'mg', dp: 2 },
    reasoning: [`${lb} * 0.45359237 = ${fmt(kg)}`, `${mgPerKg} * ${fmt(kg)} = ${fmt(daily)}`, `${fmt(daily)} / ${doses} = ${fmt(each)}`],
  };
};

export const bmi: TaskGenerator = (rng, difficulty) => {
  if (difficulty < 3) {
    const kg = rng.int(45, 120);
    const cm = rng.int(150, 200);
    const m = cm / 100;
    const sq = shown(m * m, 6);
    const value = kg / sq;
    const heightText = difficulty === 1 ? `${m} m` : `${cm} cm`;
    return {
      kind: 'medicine.bmi',
      domain: Domain.DOMAIN_MEDICINE,
      difficulty,
      prompt: `A patient weighs ${kg} kg and is ${heightText} tall. What is the BMI? Round to 1 decimal.`,
      files: [],
      answer: { number: shown(kg / (m * m), 1), unit: '', dp: 1 },
      reasoning: [`BMI = weight / height², height in metres.`, `${m} * ${m} = ${fmt(sq, 6)}`, `${kg} / ${fmt(sq, 6)} = ${fmt(value, 4)}`],
    };
  }
  const lb = rng.int(100, 260);
  const inches = rng.int(58, 78);
  const sq = inches * inches;
  const value = (703 * lb) / sq;
  return {
    kind: 'medicine.bmi',
    domain: Domain.DOMAIN_MEDICINE,
    difficulty,
    prompt: `A patient weighs ${lb} lb and is ${inches} inches tall. What is the BMI (703 · lb / in²)? Round to 1 decimal.`,
    files: [],
    answer: { number: shown(value, 1), unit: '', dp: 1 },
    reasoning: [`${inches} * ${inches} = ${sq}`, `703 * ${lb} = ${703 * lb}`, `${703 * lb} / ${sq} = ${fmt(value, 4)}`],
  };
};

export const diagnosticTest: TaskGenerator = (rng, difficulty) => {
  const n = [0, 40, 80, 150][difficulty];
  const prevalence = rng.float(0.2, 0.5, 2);
  const sens = rng.float(0.7, 0.95, 2);
  const spec = rng.float(0.7, 0.95, 2);
  const rows: Cell[][] = [];
  let tp = 0, fn = 0, fp = 0, tn = 0;
  for (let i = 0; i < n; i++) {
    const disease = rng.chance(prevalence) ? 1 : 0;
    const pos = disease ? rng.chance(sens) : !rng.chance(spec);
    if (disease && pos) tp++;
    else if (disease) fn++;
    else if (pos) fp++;
    else tn++;
    rows.push([i + 1, pos ? 'pos' : 'neg', disease]);
  }
  if (tp + fn === 0 || tn + fp === 0) {
    return diagnosticTest(rng, difficulty);
  }
  const se = tp / (tp + fn);
  const sp = tn / (tn + fp);
  const which = ['', 'sensitivity', 'specificity', 'Youden index (sensitivity + specificity - 1)'][difficulty];
  const answer = difficulty === 1 ? se : difficulty === 2 ? sp : se + sp - 1;
  const ppv = tp / (tp + fp);
  const reasoning = [`Counting the rows: TP = ${tp}, FN = ${fn}, FP = ${fp}, TN = ${tn}.`];
  if (difficulty !== 2) reasoning.push(`Sensitivity = TP / (TP + FN): ${tp} / (${tp} + ${fn}) = ${fmt(se, 4)}`);
  if (difficulty !== 1) reasoning.push(`Specificity = TN / (TN + FP): ${tn} / (${tn} + ${fp}) = ${fmt(sp, 4)}`);
  if (difficulty === 3) reasoning.push(`${fmt(se, 4)} + ${fmt(sp, 4)} - 1 = ${fmt(shown(se, 4) + shown(sp, 4) - 1, 4)}`);
  const expr = ['', 'tp / (tp + fn)', 'tn / (tn + fp)', 'tp / (tp + fn) + tn / (tn + fp) - 1'][difficulty];
  const count =
    `tp = ((df["test"] == "pos") & (df["disease"] == 1)).sum()\nfn = ((df["test"] == "neg") & (df["disease"] == 1)).sum()\n` +
    `fp = ((df["test"] == "pos") & (df["disease"] == 0)).sum()\ntn = ((df["test"] == "neg") & (df["disease"] == 0)).sum()\nprint(tp, fn, fp, tn)`;
  return {
    kind: `medicine.${['', 'sensitivity', 'specificity', 'youden'][difficulty]}`,
    domain: Domain.DOMAIN_MEDICINE,
    difficulty,
    prompt: `results.csv lists ${n} patients: the screening test result (pos/neg) and the true disease status (1/0). What is the ${which}? Round to 4 decimals.`,
    files: [{ name: 'results.csv', content: toCsv(['patient', 'test', 'disease'], rows) }],
    answer: { number: shown(answer, 4), unit: '', dp: 4 },
    reasoning,
    agentic: {
      steps: [
        {
          thought: 'Load the results and build the confusion matrix.',
          code: `import pandas as pd\ndf = pd.read_csv("results.csv")\n${count}`,
          observation: `${tp} ${fn} ${fp} ${tn}`,
          errors: [
            {
              kind: 'typo',
              code: `import pandas as pd\ndf = pd.read_csv("results.csv")\n${count.replace(/"disease"/g, '"diseese"')}`,
              observation: traceback('tp = ((df["test"] == "pos") & (df["diseese"] == 1)).sum()', `KeyError: 'diseese'`),
              fixThought: `KeyError: 'diseese' is a typo for the 'disease' column. Rebuild the confusion matrix.`,
            },
          ],
        },
        {
          thought: `TP = ${tp}, FN = ${fn}, FP = ${fp}, TN = ${tn}. Compute the ${which}.`,
          code: `print(round(${expr}, 4))`,
          observation: py(answer),
          errors:
            difficulty === 1
              ? [
                  {
                    kind: 'wrong_formula',
                    code: `print(round(tp / (tp + fp), 4))`,
                    observation: py(ppv),
                    fixThought: `${py(ppv)} is TP / (TP + FP), the positive predictive value, not sensitivity. Sensitivity divides by the diseased: TP + FN.`,
                  },
                ]
              : undefined,
        },
      ],
      finalThought: `The ${which.split(' (')[0]} is ${py(answer)}.`,
    },
  };
};
