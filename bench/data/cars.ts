// What is for sale, with the shape of the French used-vehicle market: brand shares close to the used
// car transactions of recent years (Renault and Peugeot about 15% each, Citroën about 9%, then the
// German brands, Dacia, Toyota...), a handful of models per brand with a new price to depreciate from.
// Approximate by design: the benchmark needs the skew (a few brands dominate), not exact figures.

export interface Model {
  name: string;
  subType: string;
  /** Price new, in euros, of a mid-range version. */
  newPrice: number;
  /** First model year on the market (older ads fall back to this year). */
  since: number;
  electric?: boolean;
  /** Share within its brand. */
  weight: number;
}

export interface Brand {
  name: string;
  /** Share of the market (per cent, roughly). */
  weight: number;
  premium?: boolean;
  models: Model[];
  versions: string[];
}

const m = (
  name: string,
  subType: string,
  newPrice: number,
  since: number,
  weight: number,
  electric = false,
): Model => ({ name, subType, newPrice, since, weight, ...(electric ? { electric } : {}) });

export const CAR_BRANDS: Brand[] = [
  {
    name: 'Renault',
    weight: 15.5,
    versions: ['1.5 dCi 90 Business', 'TCe 90 Zen', 'E-Tech Intens', 'Blue dCi 115 Limited', 'TCe 140 Techno'],
    models: [
      m('Clio', 'citadine', 19000, 1998, 30),
      m('Mégane', 'berline', 26000, 2002, 18),
      m('Captur', 'suv', 25000, 2013, 18),
      m('Scénic', 'monospace', 28000, 2003, 8),
      m('Twingo', 'citadine', 14000, 2007, 10),
      m('Kadjar', 'suv', 28000, 2015, 6),
      m('Austral', 'suv', 36000, 2022, 3),
      m('Zoé', 'citadine', 32000, 2013, 7, true),
    ],
  },
  {
    name: 'Peugeot',
    weight: 15,
    versions: [
      '1.2 PureTech 110 Allure',
      'BlueHDi 130 GT Line',
      '1.5 BlueHDi 100 Active',
      'PureTech 130 EAT8 GT',
      'Hybrid 136 Allure',
    ],
    models: [
      m('208', 'citadine', 20000, 2012, 28),
      m('308', 'berline', 28000, 2007, 20),
      m('2008', 'suv', 26000, 2013, 17),
      m('3008', 'suv', 34000, 2009, 17),
      m('5008', 'suv', 37000, 2010, 6),
      m('108', 'citadine', 13000, 2014, 6),
      m('508', 'berline', 38000, 2011, 6),
    ],
  },
  {
    name: 'Citroën',
    weight: 9.5,
    versions: ['PureTech 82 Feel', 'BlueHDi 100 Shine', 'PureTech 110 C-Series', 'BlueHDi 130 EAT8 Shine'],
    models: [
      m('C3', 'citadine', 18000, 2002, 34),
      m('C4', 'berline', 25000, 2004, 14),
      m('C3 Aircross', 'suv', 23000, 2017, 14),
      m('C5 Aircross', 'suv', 33000, 2018, 12),
      m('C1', 'citadine', 12000, 2005, 10),
      m('Berlingo', 'monospace', 26000, 2008, 12),
      m('Grand C4 Picasso', 'monospace', 28000, 2013, 4),
    ],
  },
  {
    name: 'Volkswagen',
    weight: 7.5,
    versions: [
      '1.0 TSI 95 Life',
      '2.0 TDI 150 DSG Carat',
      '1.5 TSI 130 Style',
      '2.0 TDI 115 Confortline',
      'GTI 245 DSG7',
    ],
    models: [
      m('Golf', 'berline', 30000, 1998, 32),
      m('Polo', 'citadine', 20000, 1999, 26),
      m('Tiguan', 'suv', 38000, 2007, 16),
      m('T-Roc', 'suv', 30000, 2017, 12),
      m('Passat', 'break', 40000, 2000, 8),
      m('Touran', 'monospace', 32000, 2003, 6),
    ],
  },
  {
    name: 'Dacia',
    weight: 3.5,
    versions: ['SCe 65 Essentiel', 'TCe 90 Expression', 'Blue dCi 115 Prestige', 'ECO-G 100 Confort'],
    models: [
      m('Sandero', 'citadine', 13000, 2008, 45),
      m('Duster', 'suv', 19000, 2010, 35),
      m('Logan', 'berline', 12000, 2005, 8),
      m('Spring', 'citadine', 18000, 2021, 6, true),
      m('Jogger', 'monospace', 20000, 2022, 6),
    ],
  },
  {
    name: 'Toyota',
    weight: 4,
    versions: ['Hybride 116h Dynamic', 'VVT-i 72 x-play', 'Hybrid 122h Design', '2.5 Hybride 218 Lounge'],
    models: [
      m('Yaris', 'citadine', 21000, 1999, 38),
      m('C-HR', 'suv', 32000, 2016, 20),
      m('Corolla', 'berline', 30000, 2019, 14),
      m('RAV4', 'suv', 42000, 2006, 14),
      m('Aygo', 'citadine', 14000, 2005, 14),
    ],
  },
  {
    name: 'BMW',
    weight: 4.5,
    premium: true,
    versions: ['118d Lounge', '320d xDrive M Sport', 'sDrive18i Business Design', '520d Luxury', 'xDrive30e M Sport'],
    models: [
      m('Série 1', 'berline', 34000, 2004, 28),
      m('Série 3', 'berline', 46000, 1998, 28),
      m('X1', 'suv', 42000, 2009, 18),
      m('Série 5', 'berline', 60000, 2003, 12),
      m('X3', 'suv', 58000, 2004, 14),
    ],
  },
  {
    name: 'Mercedes-Benz',
    weight: 5,
    premium: true,
    versions: ['180 d Business Line', '200 AMG Line 7G-DCT', '220 d 4Matic Avantgarde', '250 e Progressive Line'],
    models: [
      m('Classe A', 'berline', 36000, 1998, 30),
      m('Classe C', 'berline', 48000, 2000, 26),
      m('GLA', 'suv', 42000, 2014, 16),
      m('Classe E', 'berline', 62000, 2002, 12),
      m('GLC', 'suv', 60000, 2015, 16),
    ],
  },
  {
    name: 'Audi',
    weight: 4.5,
    premium: true,
    versions: ['30 TFSI 110 Design', '35 TDI 150 S line S tronic', '40 TDI quattro Avus', '45 TFSI e S tronic'],
    models: [
      m('A3', 'berline', 36000, 1998, 32),
      m('A4', 'berline', 44000, 2000, 24),
      m('Q3', 'suv', 42000, 2011, 18),
      m('A1', 'citadine', 26000, 2010, 16),
      m('Q5', 'suv', 58000, 2008, 10),
    ],
  },
  {
    name: 'Ford',
    weight: 4,
    versions: [
      '1.0 EcoBoost 100 Trend',
      '1.5 TDCi 120 Titanium',
      '1.0 EcoBoost 125 ST-Line',
      '2.5 Hybride 190 Vignale',
    ],
    models: [
      m('Fiesta', 'citadine', 18000, 2002, 36),
      m('Focus', 'berline', 25000, 1999, 28),
      m('Kuga', 'suv', 34000, 2008, 18),
      m('Puma', 'suv', 27000, 2019, 18),
    ],
  },
  {
    name: 'Opel',
    weight: 3.5,
    versions: ['1.2 75 Edition', '1.5 Diesel 100 Elegance', '1.2 Turbo 130 GS Line'],
    models: [
      m('Corsa', 'citadine', 18000, 2000, 42),
      m('Astra', 'berline', 25000, 1998, 30),
      m('Mokka', 'suv', 26000, 2012, 16),
      m('Crossland', 'suv', 22000, 2017, 12),
    ],
  },
  {
    name: 'Fiat',
    weight: 3,
    versions: ['1.2 69 Lounge', '1.0 Hybrid 70 Dolcevita', '1.6 MultiJet 120 Easy'],
    models: [
      m('500', 'citadine', 16000, 2007, 52),
      m('Panda', 'citadine', 13000, 2003, 30),
      m('Tipo', 'berline', 20000, 2016, 18),
    ],
  },
  {
    name: 'Nissan',
    weight: 2.5,
    versions: ['1.3 DIG-T 140 N-Connecta', '1.5 dCi 110 Acenta', '1.0 IG-T 92 Visia'],
    models: [
      m('Qashqai', 'suv', 32000, 2007, 55),
      m('Juke', 'suv', 24000, 2010, 28),
      m('Micra', 'citadine', 16000, 2003, 17),
    ],
  },
  {
    name: 'Skoda',
    weight: 1.5,
    versions: ['1.0 TSI 110 Ambition', '2.0 TDI 150 DSG Style', '1.5 TSI 150 Sportline'],
    models: [
      m('Octavia', 'break', 30000, 2004, 50),
      m('Fabia', 'citadine', 18000, 2000, 30),
      m('Kodiaq', 'suv', 40000, 2017, 20),
    ],
  },
  {
    name: 'Kia',
    weight: 1.5,
    versions: ['1.6 CRDi 136 Active', '1.0 T-GDi 120 Design', 'Hybride 141 Premium'],
    models: [
      m('Sportage', 'suv', 34000, 2004, 44),
      m('Ceed', 'berline', 25000, 2007, 22),
      m('Niro', 'suv', 32000, 2016, 18),
      m('Picanto', 'citadine', 13000, 2004, 16),
    ],
  },
  {
    name: 'Hyundai',
    weight: 1.5,
    versions: ['1.6 CRDi 136 Creative', '1.0 T-GDi 100 Intuitive', 'Hybrid 141 Executive'],
    models: [
      m('Tucson', 'suv', 35000, 2004, 40),
      m('i20', 'citadine', 18000, 2008, 24),
      m('i10', 'citadine', 13000, 2008, 18),
      m('Kona', 'suv', 28000, 2017, 18),
    ],
  },
  {
    name: 'Seat',
    weight: 1.8,
    versions: ['1.0 TSI 95 Style', '1.5 TSI 150 FR', '2.0 TDI 150 Xcellence'],
    models: [
      m('Ibiza', 'citadine', 18000, 1999, 40),
      m('Leon', 'berline', 26000, 1999, 34),
      m('Arona', 'suv', 22000, 2017, 14),
      m('Ateca', 'suv', 30000, 2016, 12),
    ],
  },
  {
    name: 'Mini',
    weight: 1.2,
    premium: true,
    versions: ['Cooper 136 Edition', 'One 102 Salt', 'Cooper S 178 BVA7'],
    models: [m('Cooper', 'citadine', 26000, 2001, 70), m('Countryman', 'suv', 34000, 2010, 30)],
  },
  {
    name: 'Volvo',
    weight: 1,
    premium: true,
    versions: ['D4 190 Momentum', 'T5 Recharge Inscription', 'B4 197 Plus'],
    models: [
      m('XC60', 'suv', 55000, 2008, 45),
      m('XC40', 'suv', 42000, 2018, 35),
      m('V40', 'berline', 30000, 2012, 20),
    ],
  },
  {
    name: 'Suzuki',
    weight: 1,
    versions: ['1.2 Dualjet Pack', '1.4 Boosterjet 140 Allgrip'],
    models: [m('Swift', 'citadine', 17000, 2005, 60), m('Vitara', 'suv', 25000, 2015, 40)],
  },
  {
    name: 'DS',
    weight: 0.6,
    premium: true,
    versions: ['BlueHDi 130 Performance Line', 'PureTech 155 So Chic'],
    models: [m('DS 3', 'citadine', 28000, 2010, 50), m('DS 7', 'suv', 45000, 2018, 50)],
  },
  {
    name: 'Tesla',
    weight: 0.5,
    premium: true,
    versions: ['Propulsion', 'Grande Autonomie AWD', 'Performance'],
    models: [m('Model 3', 'berline', 45000, 2019, 60, true), m('Model Y', 'suv', 50000, 2021, 40, true)],
  },
  {
    name: 'Mazda',
    weight: 0.6,
    versions: ['2.0 Skyactiv-G 122 Dynamique', '2.2 Skyactiv-D 150 Sélection'],
    models: [m('CX-5', 'suv', 36000, 2012, 55), m('Mazda2', 'citadine', 18000, 2007, 45)],
  },
  {
    name: 'Jeep',
    weight: 0.5,
    versions: ['1.6 MultiJet 130 Limited', '4xe 240 S'],
    models: [m('Renegade', 'suv', 30000, 2014, 60), m('Compass', 'suv', 38000, 2017, 40)],
  },
  {
    name: 'Land Rover',
    weight: 0.5,
    premium: true,
    versions: ['TD4 150 SE', 'P300e HSE'],
    models: [m('Range Rover Evoque', 'suv', 52000, 2011, 60), m('Discovery Sport', 'suv', 50000, 2015, 40)],
  },
  {
    name: 'Porsche',
    weight: 0.3,
    premium: true,
    versions: ['S PDK', '4S', 'E-Hybrid'],
    models: [
      m('911', 'coupe', 130000, 1998, 40),
      m('Macan', 'suv', 80000, 2014, 40),
      m('Cayenne', 'suv', 100000, 2002, 20),
    ],
  },
  {
    name: 'Smart',
    weight: 0.6,
    versions: ['71 Passion', 'EQ Prime'],
    models: [m('Fortwo', 'citadine', 15000, 1998, 100)],
  },
  {
    name: 'Alfa Romeo',
    weight: 0.4,
    versions: ['2.2 JTD 160 Super', '1.4 TB 170 Veloce'],
    models: [m('Giulietta', 'berline', 28000, 2010, 60), m('Stelvio', 'suv', 55000, 2017, 40)],
  },
  {
    name: 'Honda',
    weight: 0.5,
    versions: ['1.5 i-MMD Executive', '2.0 i-MMD Elegance'],
    models: [m('Jazz', 'citadine', 22000, 2002, 50), m('CR-V', 'suv', 40000, 2002, 50)],
  },
  {
    name: 'Mitsubishi',
    weight: 0.4,
    versions: ['1.0 MIVEC 71 Inform', 'PHEV Intense'],
    models: [m('Space Star', 'citadine', 13000, 2013, 50), m('Outlander', 'suv', 42000, 2007, 50)],
  },
];

export const VAN_BRANDS: Brand[] = [
  {
    name: 'Renault',
    weight: 26,
    versions: ['Blue dCi 130 Grand Confort', 'dCi 95 Extra', 'L2H2 dCi 150'],
    models: [
      m('Kangoo', 'fourgonnette', 22000, 2008, 40),
      m('Trafic', 'fourgon', 34000, 2001, 32),
      m('Master', 'fourgon', 40000, 2010, 28),
    ],
  },
  {
    name: 'Peugeot',
    weight: 18,
    versions: ['BlueHDi 100 Premium', 'L2H2 BlueHDi 140 S&S', 'Standard 1.5 BlueHDi'],
    models: [
      m('Partner', 'fourgonnette', 22000, 2008, 45),
      m('Expert', 'fourgon', 33000, 2007, 30),
      m('Boxer', 'fourgon', 38000, 2006, 25),
    ],
  },
  {
    name: 'Citroën',
    weight: 16,
    versions: ['BlueHDi 100 Club', 'XL BlueHDi 120 Driver', 'L3H2 BlueHDi 140'],
    models: [
      m('Berlingo Van', 'fourgonnette', 22000, 2008, 45),
      m('Jumpy', 'fourgon', 33000, 2007, 30),
      m('Jumper', 'fourgon', 38000, 2006, 25),
    ],
  },
  {
    name: 'Ford',
    weight: 12,
    versions: ['2.0 EcoBlue 130 Trend', 'L2H2 2.0 TDCi 170 Limited'],
    models: [m('Transit Custom', 'fourgon', 36000, 2012, 55), m('Transit', 'fourgon', 40000, 2006, 45)],
  },
  {
    name: 'Volkswagen',
    weight: 10,
    versions: ['2.0 TDI 150 Business', '2.0 TDI 102 Van'],
    models: [
      m('Transporter', 'fourgon', 40000, 2003, 50),
      m('Caddy', 'fourgonnette', 26000, 2004, 35),
      m('Crafter', 'fourgon', 45000, 2017, 15),
    ],
  },
  {
    name: 'Mercedes-Benz',
    weight: 9,
    versions: ['114 CDI Pro', '316 CDI 37S'],
    models: [m('Vito', 'fourgon', 40000, 2004, 50), m('Sprinter', 'fourgon', 48000, 2006, 50)],
  },
  {
    name: 'Fiat',
    weight: 5,
    versions: ['2.3 MultiJet 130 Pro Lounge', '1.6 MultiJet 105 Pack'],
    models: [m('Ducato', 'fourgon', 38000, 2006, 65), m('Doblo Cargo', 'fourgonnette', 20000, 2010, 35)],
  },
  {
    name: 'Iveco',
    weight: 4,
    versions: ['35S14 Hi-Matic', '35C16 Benne'],
    models: [m('Daily', 'fourgon', 45000, 2006, 100)],
  },
];

export const MOTO_BRANDS: Brand[] = [
  {
    name: 'Yamaha',
    weight: 24,
    versions: ['ABS', '35 kW A2', 'Tech Max'],
    models: [
      m('MT-07', 'roadster', 8000, 2014, 35),
      m('MT-09', 'roadster', 10500, 2013, 20),
      m('Tracer 9', 'routiere', 14000, 2015, 15),
      m('XMAX 300', 'scooter', 7000, 2017, 30),
    ],
  },
  {
    name: 'Honda',
    weight: 22,
    versions: ['ABS', 'DCT', 'A2'],
    models: [
      m('CB500F', 'roadster', 7000, 2013, 25),
      m('Africa Twin', 'trail', 16000, 2016, 20),
      m('Forza 350', 'scooter', 6500, 2021, 30),
      m('CB650R', 'roadster', 9000, 2019, 25),
    ],
  },
  {
    name: 'Kawasaki',
    weight: 15,
    versions: ['ABS', 'Performance', 'A2'],
    models: [
      m('Z900', 'roadster', 10000, 2017, 40),
      m('Z650', 'roadster', 7500, 2017, 35),
      m('Versys 650', 'trail', 9000, 2015, 25),
    ],
  },
  {
    name: 'BMW',
    weight: 14,
    versions: ['Adventure', 'Pack Confort', 'Style'],
    models: [m('R 1250 GS', 'trail', 21000, 2019, 55), m('F 900 R', 'roadster', 10000, 2020, 45)],
  },
  {
    name: 'Suzuki',
    weight: 9,
    versions: ['ABS', 'XT'],
    models: [m('SV650', 'roadster', 7200, 2016, 55), m('V-Strom 650', 'trail', 9000, 2012, 45)],
  },
  {
    name: 'Triumph',
    weight: 8,
    versions: ['RS', 'Rally Pro'],
    models: [m('Street Triple', 'roadster', 11000, 2013, 55), m('Tiger 900', 'trail', 15000, 2020, 45)],
  },
  {
    name: 'KTM',
    weight: 5,
    versions: ['ABS', 'R'],
    models: [m('390 Duke', 'roadster', 5800, 2013, 55), m('790 Duke', 'roadster', 9500, 2018, 45)],
  },
  {
    name: 'Ducati',
    weight: 3,
    versions: ['Plus', 'Icon'],
    models: [m('Monster', 'roadster', 12500, 2014, 55), m('Scrambler', 'roadster', 10000, 2015, 45)],
  },
];

/** Ad types by share of the ads, with their brands. */
export const AD_TYPE_MIX = [
  { adType: 'voitures', weight: 90, brands: CAR_BRANDS },
  { adType: 'utilitaires', weight: 7, brands: VAN_BRANDS },
  { adType: 'motos', weight: 3, brands: MOTO_BRANDS },
] as const;

export const DESCRIPTION_PHRASES = [
  'Très bon état général.',
  "Première main, carnet d'entretien à jour.",
  'Contrôle technique OK, aucune contre-visite.',
  'Distribution faite récemment.',
  'Pneus neufs, freins révisés.',
  'Jamais accidentée, non fumeur.',
  'Factures disponibles.',
  "Crit'Air 1, idéale pour la ville.",
  'GPS, caméra de recul, radar avant et arrière.',
  'Toit panoramique, sièges chauffants.',
  'Climatisation automatique, régulateur de vitesse.',
  'Révision complète faite chez le concessionnaire.',
  'Vente cause déménagement.',
  'Prix légèrement négociable.',
  'Garantie 12 mois possible.',
  'Entretien réalisé dans le réseau de la marque.',
  "Quelques rayures d'usage sur le pare-choc.",
  'Disponible rapidement, visible sur rendez-vous.',
];

/** Rare phrases that hunts exclude. */
export const BAIT_PHRASES = [
  { phrase: 'Véhicule accidenté, réparé.', keyword: 'accidente', share: 0.02 },
  { phrase: 'Vendu pour pièces, ne roule pas.', keyword: 'pour pieces', share: 0.015 },
  { phrase: 'Moteur HS, à réparer.', keyword: 'moteur hs', share: 0.01 },
];

export const FIRST_NAMES = [
  'Julie',
  'Thomas',
  'Nicolas',
  'Camille',
  'Sophie',
  'Maxime',
  'Léa',
  'Antoine',
  'Manon',
  'Hugo',
  'Chloé',
  'Lucas',
  'Inès',
  'Mathieu',
  'Sarah',
  'Pierre',
  'Émilie',
  'Karim',
  'Nathalie',
  'Yannick',
];
export const GARAGE_WORDS = ['Garage', 'Auto', 'Automobiles', 'Occasions', 'Motors', 'Car Center'];

export const OUTREACH_TEMPLATES = [
  'Bonjour {{vendeur_nom}}, votre {{marque}} {{modele}} de {{annee}} à {{prix}} nous intéresse. Seriez-vous disponible pour en parler ?',
  'Bonjour, nous sommes intéressés par votre {{titre_annonce}} à {{ville}}. Pouvons-nous vous appeler ?',
  'Bonjour {{vendeur_nom}}, achat rapide de votre {{marque}} {{modele}} ({{prix}}), paiement immédiat. Rappelez-nous !',
];
