"""Synthetic name and street pools. All spellings fit Windows-1252, as legacy registry exports require."""

SURNAMES_DE = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun",
    "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Schulze",
    "Köhler", "Herrmann", "König", "Walter", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß",
    "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth",
    "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus",
    "Martin", "Schumacher", "Krämer", "Vogt", "Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich",
    "Brandt", "Haas", "Schreiber", "Graf", "Schulte", "Dietrich", "Kuhn", "Pohl", "Engel", "Horn", "Busch",
    "Bergmann", "Voigt", "Sauer", "Arnold", "Wolff", "Petersen", "Jensen", "Hansen", "Carstensen", "Thomsen",
    "Paulsen", "Lüders", "Ehlers", "Harms", "Rathjen"
]
SURNAMES_FOREIGN = [
    "Yilmaz", "Kaya", "Demir", "Sahin", "Çelik", "Yildiz", "Öztürk", "Kowalski", "Nowak", "Wisniewski", "Wójcik",
    "Popescu", "Ionescu", "Popa", "Al-Hassan", "Haddad", "Khalil", "Ahmadi", "Rahimi", "Hosseini", "Kovalenko",
    "Shevchenko", "Bondarenko", "Melnyk", "Ivanov", "Petrov", "Rossi", "Russo", "Esposito", "Papadopoulos",
    "Georgiou", "Dimitrov", "Georgiev", "Nielsen", "Jansen", "de Vries", "Novák", "Horváth"
]
FIRST_M_DE = [
    "Peter", "Michael", "Thomas", "Andreas", "Stefan", "Klaus", "Jürgen", "Frank", "Uwe", "Wolfgang", "Hans", "Jan",
    "Sven", "Lars", "Jens", "Dirk", "Torben", "Finn", "Lukas", "Paul", "Jonas", "Leon", "Felix", "Ben", "Noah",
    "Elias", "Max", "Henry", "Emil", "Anton", "Theo", "Ole", "Hannes", "Matthias"
]
FIRST_F_DE = [
    "Sabine", "Petra", "Andrea", "Claudia", "Susanne", "Birgit", "Heike", "Anja", "Katrin", "Nicole", "Stefanie",
    "Julia", "Anna", "Lena", "Lea", "Marie", "Sophie", "Emma", "Mia", "Hanna", "Emilia", "Lina", "Ida", "Frieda",
    "Greta", "Maja", "Ella", "Clara", "Ingrid", "Ursula", "Renate", "Helga"
]
FIRST_M_FOREIGN = [
    "Mehmet", "Mustafa", "Ahmet", "Ali", "Piotr", "Krzysztof", "Andrei", "Ion", "Omar", "Mohammed", "Ahmad",
    "Oleksandr", "Dmytro", "Marco"
]
FIRST_F_FOREIGN = [
    "Ayse", "Fatma", "Elif", "Zeynep", "Anna", "Katarzyna", "Maria", "Elena", "Fatima", "Amina", "Leila", "Olena",
    "Iryna", "Giulia"
]
STREETS = [
    "Hauptstraße", "Bahnhofstraße", "Dorfstraße", "Schulstraße", "Kirchenstraße", "Gartenstraße", "Lindenweg",
    "Birkenweg", "Ahornweg", "Eichenweg", "Mühlenstraße", "Am Markt", "Feldstraße", "Wiesenweg", "Rosenstraße",
    "Tulpenweg", "Marschweg", "Elbstraße", "Deichstraße", "Pinnauweg", "Holstenstraße", "Friedrichstraße",
    "Königstraße", "Rathausplatz", "Am Sportplatz", "Buchenweg", "Kastanienallee", "Rosengarten", "Moorweg",
    "Geestweg", "Heideweg", "Tannenweg", "Blumenstraße", "Parkstraße"
]
BIRTHPLACES_DE = [
    "Pinneberg", "Elmshorn", "Hamburg", "Wedel", "Kiel", "Lübeck", "Itzehoe", "Bremen", "Hannover", "Berlin",
    "Neumünster"
]
BIRTHPLACES_FOREIGN = [
    "Istanbul", "Ankara", "Danzig", "Warschau", "Bukarest", "Damaskus", "Aleppo", "Kabul", "Kiew", "Charkiw", "Rom",
    "Athen"
]
# Geburtsstaat (Destatis Staatsschlüssel) of each foreign birthplace, in the order above
BIRTH_COUNTRIES_FOREIGN = ["163", "163", "152", "152", "254", "475", "475", "423", "166", "166", "137", "134"]
# Germans born abroad (Spätaussiedler and their families): birthplace and Geburtsstaat
BIRTHPLACES_AUSSIEDLER = [("Karaganda", "356"), ("Omsk", "160"), ("Oppeln", "152"), ("Hermannstadt", "254")]
