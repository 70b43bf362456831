/** Word lists for generated people (invented for this project). */

export const GIVEN_NAMES: readonly string[] = [
  "Adele", "Alex", "Amara", "Anil", "Beatriz", "Bruno", "Camille", "Carlos", "Chen", "Dana",
  "Diego", "Elena", "Emeka", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines", "Isaac",
  "Jana", "Jonas", "Kai", "Keiko", "Lars", "Leila", "Lucas", "Maya", "Mateo", "Mei",
  "Nadia", "Nikhil", "Noah", "Olga", "Omar", "Paula", "Priya", "Quinn", "Rafael", "Rosa",
  "Sami", "Sofia", "Tariq", "Tess", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
];

export const SURNAMES: readonly string[] = [
  "Abebe", "Alvarez", "Andersen", "Bauer", "Bianchi", "Brooks", "Castillo", "Chowdhury", "Costa", "Dubois",
  "Eriksen", "Fischer", "Garcia", "Haddad", "Hansen", "Ito", "Jansen", "Kaur", "Kim", "Kowalski",
  "Larsen", "Lopez", "Mbeki", "Moreau", "Murphy", "Nakamura", "Novak", "Okafor", "Olsen", "Park",
  "Patel", "Petrov", "Quinlan", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Tanaka", "Torres",
  "Ueda", "Vance", "Varga", "Wagner", "Walsh", "Wang", "Weber", "Yilmaz", "Zhang", "Zimmer",
];

/** Departments and the job titles of their individual contributors. */
export const DEPARTMENTS: ReadonlyArray<{ name: string; titles: readonly string[] }> = [
  { name: "Engineering", titles: ["Software Engineer", "Senior Software Engineer", "Site Reliability Engineer", "QA Engineer", "Architect"] },
  { name: "Sales", titles: ["Account Executive", "Sales Representative", "Sales Engineer", "Account Manager"] },
  { name: "Marketing", titles: ["Marketing Specialist", "Content Writer", "Product Marketing Manager", "Designer"] },
  { name: "Finance", titles: ["Accountant", "Financial Analyst", "Controller", "Payroll Specialist"] },
  { name: "Human Resources", titles: ["HR Generalist", "Recruiter", "HR Business Partner"] },
  { name: "Operations", titles: ["Operations Analyst", "Logistics Coordinator", "Facilities Coordinator"] },
  { name: "Legal", titles: ["Counsel", "Paralegal", "Compliance Officer"] },
  { name: "Support", titles: ["Support Engineer", "Customer Success Manager", "Support Specialist"] },
];

export const OFFICES: ReadonlyArray<{ city: string; country: string; language: string }> = [
  { city: "Seattle", country: "United States", language: "en-US" },
  { city: "Toronto", country: "Canada", language: "en-CA" },
  { city: "London", country: "United Kingdom", language: "en-GB" },
  { city: "Berlin", country: "Germany", language: "de-DE" },
  { city: "Paris", country: "France", language: "fr-FR" },
  { city: "Madrid", country: "Spain", language: "es-ES" },
  { city: "Tokyo", country: "Japan", language: "ja-JP" },
  { city: "Sydney", country: "Australia", language: "en-AU" },
];

export const PROJECT_NAMES: readonly string[] = [
  "Aurora", "Beacon", "Cascade", "Drift", "Ember", "Falcon", "Glacier", "Harbor", "Ion", "Juniper",
  "Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Ridge", "Summit", "Tidal",
];
