// My Page: signs a citizen in and shows their overview by theme. It sends only
// persisted operations (by document id), never query text.

const TOKEN_KEY = "citizen-graph.token";
const kroner = new Intl.NumberFormat("da-DK", { style: "currency", currency: "DKK",
  maximumFractionDigits: 0 });

let documentIds = {};

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function show(id, visible) {
  document.getElementById(id).hidden = !visible;
}

function body(sectionId) {
  const node = document.querySelector(`#${sectionId} .body`);
  node.replaceChildren();
  return node;
}

function table(columns, rows) {
  const result = el("table");
  const head = el("tr");
  for (const [title, , numeric] of columns) head.append(el("th", title, numeric ? "number" : ""));
  result.append(head);
  for (const row of rows) {
    const line = el("tr");
    for (const [, value, numeric] of columns) line.append(el("td", value(row), numeric ? "number" : ""));
    result.append(line);
  }
  return result;
}

function facts(pairs) {
  const list = el("dl");
  for (const [term, value] of pairs) {
    list.append(el("dt", term), el("dd", value ?? "—"));
  }
  return list;
}

function notices(container, errors) {
  for (const error of errors || []) {
    const code = error.extensions?.code;
    const where = (error.path || []).join(".");
    const text = code === "FORBIDDEN"
      ? `Not shown to you: ${where}.`
      : `Missing: ${where || "part of the page"}` +
        (error.extensions?.serviceName ? ` (${error.extensions.serviceName} did not answer).` : ".");
    container.append(el("p", text, "notice"));
  }
}

async function run(operationName, variables = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ documentId: documentIds[operationName], operationName, variables }),
  });
  const payload = await response.json();
  if (response.status === 401) {
    signOut();
    throw new Error("Your sign-in has expired; please sign in again.");
  }
  return payload;
}

function renderProfile({ data, errors }) {
  const node = body("profile");
  const me = data?.me;
  if (!me) {
    node.append(el("p", "The civil register has nothing to show.", "muted"));
  } else {
    const address = me.address;
    node.append(facts([
      ["Name", me.name ? `${me.name.firstNames} ${me.name.middleName ?? ""} ${me.name.lastName}`.replace(/\s+/g, " ") : null],
      ["CPR number", me.cprNumber],
      ["Born", me.birthDate],
      ["Address", address ? `${address.street} ${address.houseNumber}${address.floor ? ", " + address.floor : ""}${address.door ? " " + address.door : ""}, ${address.postcode} ${address.city}` : null],
      ["Civil status", me.civilStatus ? `${me.civilStatus.description}${me.civilStatus.since ? " since " + me.civilStatus.since : ""}` : null],
      ["Spouse", me.spouse ? `${me.spouse.name?.addressingName ?? ""} (${me.spouse.cprNumber ?? ""})` : "none"],
      ["Protections", me.protections.length ? me.protections.map((p) => p.kind).join(", ") : "none"],
    ]));
    document.getElementById("signed-in-as").textContent = me.name?.addressingName ?? "";
  }
  notices(node, errors);
}

function renderChildren({ data, errors }) {
  const node = body("children");
  const children = data?.me?.children;
  if (!children || children.length === 0) {
    node.append(el("p", "No children are registered with you.", "muted"));
  }
  for (const child of children || []) {
    const box = el("div", null, "child");
    box.append(el("h3", `${child.name?.firstNames ?? ""} ${child.name?.lastName ?? ""}`));
    box.append(facts([
      ["CPR number", child.cprNumber],
      ["Born", child.birthDate],
      ["Custody", child.hasCustody ? "yes" : "no"],
    ]));
    const vaccinations = child.healthRecord?.vaccinations;
    if (vaccinations?.length) {
      box.append(el("p", "Vaccinations"));
      box.append(table([["Vaccine", (v) => v.vaccine], ["Against", (v) => v.protectsAgainst], ["Given", (v) => v.givenOn]], vaccinations));
    }
    node.append(box);
  }
  notices(node, errors);
}

function renderEconomy({ data, errors }) {
  const node = body("economy");
  const me = data?.me;
  node.append(el("h3", "Payslips"));
  if (me?.payslips?.length) {
    node.append(table([
      ["Period", (p) => `${p.periodStart} – ${p.periodEnd}`],
      ["Payer", (p) => p.employerName],
      ["Gross", (p) => kroner.format(p.grossPay), true],
      ["A-tax", (p) => kroner.format(p.aTax), true],
      ["Net", (p) => kroner.format(p.netPay), true],
    ], me.payslips));
  } else {
    node.append(el("p", "No payslips.", "muted"));
  }
  node.append(el("h3", "Tax assessments"));
  if (me?.taxAssessments?.length) {
    node.append(table([
      ["Year", (a) => a.year],
      ["Kind", (a) => a.kind.toLowerCase()],
      ["Taxable income", (a) => kroner.format(a.taxableIncome), true],
      ["Tax", (a) => kroner.format(a.totalTax), true],
      ["Result", (a) => a.refund ? `refund ${kroner.format(a.refund)}` : a.residualTax ? `to pay ${kroner.format(a.residualTax)}` : "—", true],
    ], me.taxAssessments));
  } else {
    node.append(el("p", "No tax assessments.", "muted"));
  }
  notices(node, errors);
}

function renderHousing({ data, errors }) {
  const node = body("housing");
  const properties = data?.me?.properties;
  if (!properties || properties.length === 0) {
    node.append(el("p", "You own no property.", "muted"));
  }
  for (const property of properties || []) {
    node.append(el("h3", property.address?.text ?? `BFE ${property.bfeNumber}`));
    const latest = (property.valuations || [])[0];
    node.append(facts([
      ["BFE number", property.bfeNumber],
      ["Your share", property.ownershipShare ? `${property.ownershipShare.fraction} since ${property.ownershipShare.since}` : null],
      ["Building", (property.buildings || []).map((b) => `${b.useText}, ${b.floorArea} m², built ${b.constructionYear}`).join("; ")],
      ["Property value", latest ? `${kroner.format(latest.propertyValue)} (${latest.year}${latest.preliminary ? ", preliminary" : ""})` : null],
      ["Land value", latest ? kroner.format(latest.landValue) : null],
      ["Property value tax", property.propertyValueTax != null ? kroner.format(property.propertyValueTax) : null],
      ["Land tax", property.landTax != null ? kroner.format(property.landTax) : null],
    ]));
  }
  notices(node, errors);
}

function renderPension({ data, errors }) {
  const node = body("pension");
  const payslips = data?.me?.payslips || [];
  const sum = (field) => payslips.reduce((total, p) => total + (p[field] || 0), 0);
  const pensionIncome = payslips.filter((p) => p.incomeType === "old_age_pension");
  node.append(facts([
    ["Months counted", payslips.length],
    ["Your pension savings", kroner.format(sum("employeePension"))],
    ["Employer's pension", kroner.format(sum("employerPension"))],
    ["ATP paid", kroner.format(sum("atpAmount"))],
    ["Pension paid out", pensionIncome.length ? kroner.format(pensionIncome.reduce((t, p) => t + p.incomeWithoutContribution, 0)) : "none"],
  ]));
  notices(node, errors);
}

function renderAccessLog({ data, errors }) {
  const node = body("access-log");
  const entries = data?.me?.accessLog?.entries || [];
  if (entries.length === 0) node.append(el("p", "Nobody has looked at your data yet.", "muted"));
  else node.append(table([
    ["When", (e) => new Date(e.viewedAt).toLocaleString()],
    ["Who", (e) => e.viewerRelation.toLowerCase()],
    ["What", (e) => e.fields.join(", ")],
    ["How", (e) => e.operationName ?? ""],
  ], entries));
  notices(node, errors);
}

async function showOverview() {
  show("sign-in", false);
  show("overview", true);
  show("session", true);
  const pages = [
    ["MyPageProfile", renderProfile],
    ["MyPageChildren", renderChildren],
    ["MyPageEconomy", renderEconomy],
    ["MyPageHousing", renderHousing],
    ["MyPagePension", renderPension],
  ];
  await Promise.all(pages.map(async ([name, render]) => render(await run(name))));
  // The access log last, so that it lists this very visit.
  renderAccessLog(await run("MyPageAccessLog"));
  document.body.dataset.ready = "true";
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  show("overview", false);
  show("session", false);
  show("sign-in", true);
}

async function devSignIn() {
  const persona = document.getElementById("persona").value;
  const assurance = document.getElementById("assurance").value;
  const response = await fetch(`/dev/token?persona=${encodeURIComponent(persona)}&assurance=${encodeURIComponent(assurance)}`);
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.errors?.[0]?.message ?? "Sign-in failed.");
  sessionStorage.setItem(TOKEN_KEY, payload.token);
}

async function start() {
  documentIds = await (await fetch("/portal/operations.json")).json();
  const personas = await fetch("/dev/personas");
  if (personas.ok) {
    const select = document.getElementById("persona");
    for (const persona of await personas.json()) {
      const option = el("option", `${persona.name} — ${persona.description}`);
      option.value = persona.name;
      select.append(option);
    }
    show("dev-sign-in", true);
  } else {
    show("broker-sign-in", true);
  }
  document.getElementById("sign-in-button").addEventListener("click", async () => {
    show("sign-in-error", false);
    try {
      await devSignIn();
      await showOverview();
    } catch (error) {
      const message = document.getElementById("sign-in-error");
      message.textContent = error.message;
      show("sign-in-error", true);
    }
  });
  document.getElementById("sign-out").addEventListener("click", signOut);
  const wanted = new URLSearchParams(location.search).get("persona");
  if (wanted && personas.ok) {
    document.getElementById("persona").value = wanted;
    await devSignIn();
  }
  if (sessionStorage.getItem(TOKEN_KEY)) await showOverview();
}

start();
