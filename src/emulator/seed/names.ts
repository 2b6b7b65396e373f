// Word lists the demo seed draws realistic-looking people, companies and places from.

/** Given names. */
export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William',
  'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Christopher', 'Lisa',
  'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Sandra', 'Mark', 'Margaret', 'Aiko', 'Mateo', 'Priya', 'Chen',
  'Fatima', 'Olu', 'Ingrid', 'Lars', 'Sofia', 'Diego', 'Amara', 'Noah', 'Zoe', 'Ravi', 'Hana', 'Ezra', 'Leila',
];
/** Family names. */
export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez',
  'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez',
  'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Okafor', 'Tanaka', 'Nguyen',
  'Kowalski', 'Haddad', 'Lindqvist', 'Fischer', 'Rossi', 'Dubois', 'Patel', "O'Brien", 'Müller', 'Silva', 'Kim',
];
/** First words of company names. */
export const COMPANY_WORDS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Cyberdyne', 'Soylent', 'Hooli', 'Vandelay', 'Wonka',
  'Tyrell', 'Massive', 'Aperture', 'Black Mesa', 'Gringotts', 'Oscorp', 'Pied Piper', 'Dunder', 'Sterling', 'Blue Sun',
  'Monarch', 'Nakatomi', 'Octan', 'Prestige', 'Quantum', 'Riverside', 'Summit', 'Northwind', 'Contoso', 'Fabrikam',
];
/** Company name suffixes. */
export const COMPANY_SUFFIXES = ['Inc.', 'LLC', 'Ltd', 'Group', 'Corp', 'Holdings', 'Partners', 'Labs', 'Systems', 'GmbH'];
/** Cities with their state and country. */
export const PLACES: Array<[string, string, string]> = [
  ['San Francisco', 'CA', 'USA'], ['New York', 'NY', 'USA'], ['Austin', 'TX', 'USA'], ['Chicago', 'IL', 'USA'],
  ['Seattle', 'WA', 'USA'], ['Boston', 'MA', 'USA'], ['Denver', 'CO', 'USA'], ['Atlanta', 'GA', 'USA'],
  ['Toronto', 'ON', 'Canada'], ['London', 'England', 'United Kingdom'], ['Paris', 'Île-de-France', 'France'],
  ['Berlin', 'Berlin', 'Germany'], ['Tokyo', 'Tokyo', 'Japan'], ['Sydney', 'NSW', 'Australia'], ['Lagos', 'Lagos', 'Nigeria'],
];
/** Street names. */
export const STREETS = ['Main St', 'Market St', 'Oak Ave', 'Pine St', 'Maple Dr', 'Cedar Ln', 'Elm St', 'Lake Rd', 'Hill Rd', 'Park Ave', 'Broadway', 'Mission St'];
/** Job titles. */
export const TITLES = ['CEO', 'CTO', 'VP Marketing', 'VP Sales', 'Director of IT', 'Marketing Manager', 'Operations Manager', 'Engineer', 'Analyst', 'Procurement Lead', 'CFO', 'Head of Growth'];
/** Email domains for leads (contacts use their company's domain). */
export const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'corp.example.com'];
/** Activity subjects. */
export const SUBJECTS = ['Call', 'Send quote', 'Follow-up email', 'Demo', 'Intro meeting', 'Renewal discussion', 'Check in', 'Send contract'];
