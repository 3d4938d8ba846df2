"""Name, place and group tables for the synthetic registration generator (invented data only)."""

from __future__ import annotations

# Each table line: "arabic|latin variant 1,latin variant 2,...|weight".
# The first Latin variant is the most common spelling; weights give the frequency skew.

LIBYAN_MALE = """
محمد|Mohammed,Mohamed,Muhammad,Mohamad,Mhamed,Mouhamed,Mohammad,Mohmed,Muhammed|400
أحمد|Ahmed,Ahmad,Ahmid,Hmed,Ahmet|170
علي|Ali,Aly,Alee,Aali|150
عمر|Omar,Umar,Omer,Amor|80
خالد|Khaled,Khalid,Kaled,Khaleed|60
سالم|Salem,Salim,Saalem,Salam|70
مصطفى|Mustafa,Moustafa,Mostafa,Mustapha,Mostfa|60
إبراهيم|Ibrahim,Ebrahim,Brahim,Ibraheem,Ibrahem|60
يوسف|Youssef,Yousef,Yusuf,Youcef,Yosef,Yousif|50
حسن|Hassan,Hasan,Hassen,Hasen|45
حسين|Hussein,Hussain,Husain,Hossein,Hocine,Houssein|40
محمود|Mahmoud,Mahmood,Mahmud,Mahmod|40
فرج|Faraj,Farag,Fraj,Farej|40
ميلود|Miloud,Milud,Meloud,Milood|25
مبروك|Mabrouk,Mabruk,Mabrook,Mebrouk|25
مسعود|Masoud,Masud,Massoud,Masood,Messaoud|25
ميلاد|Milad,Meelad,Miladh,Melad|30
رمضان|Ramadan,Ramadhan,Ramdan,Ramazan|30
فتحي|Fathi,Fethi,Fathy,Fatehi|20
فوزي|Fawzi,Fawzy,Fouzi,Fauzi|15
عادل|Adel,Adil,Aadel|25
نوري|Nuri,Nouri,Noury,Nouri|25
صلاح|Salah,Saleh,Slah,Salaah|20
جمال|Jamal,Gamal,Djamel,Jamel|20
طارق|Tarek,Tariq,Tarik,Tareq|20
وليد|Walid,Waleed,Oualid,Walied|20
حمزة|Hamza,Hamzah,Hamzeh|20
بلال|Bilal,Belal,Bilel|15
أسامة|Osama,Usama,Oussama,Ousama,Osamah|20
أنس|Anas,Anes,Enas|15
مفتاح|Muftah,Moftah,Meftah,Miftah|20
سعد|Saad,Sa'ad,Saed,Saaed|20
صالح|Saleh,Salih,Saaleh,Salah|30
سليمان|Suleiman,Sulaiman,Soliman,Slimane,Sleiman,Suliman|25
عثمان|Othman,Osman,Uthman,Athman,Otman|20
أبوبكر|Abubakr,Abu Bakr,Aboubakr,Abubaker,Abobakr,Bubaker|25
إدريس|Idris,Idriss,Edris,Driss|15
إسماعيل|Ismail,Ismael,Esmail,Smail,Ismaeel|15
موسى|Musa,Moussa,Mousa,Mosa|20
عيسى|Issa,Eisa,Isa,Aissa|15
يحيى|Yahya,Yahia,Yehia,Yahiya|15
زكريا|Zakaria,Zakariya,Zakariyya,Zakarya|10
أيوب|Ayoub,Ayyub,Ayub,Ayoob|10
يونس|Younis,Yunus,Younes,Yunis|15
حامد|Hamed,Hamid,Haamed|15
رجب|Rajab,Ragab,Regeb|15
شعبان|Shaaban,Chaabane,Shaban,Shabaan|12
جمعة|Juma,Jumaa,Jomaa,Guma,Jouma|25
خليفة|Khalifa,Khalefa,Khlifa,Khalipha|25
منصور|Mansour,Mansur,Mansor|20
ناصر|Nasser,Naser,Nacer,Nasir|15
فاضل|Fadel,Fadil,Fathel|10
فيصل|Faisal,Faysal,Fayssal|10
هشام|Hisham,Hesham,Hicham,Hichem|12
حاتم|Hatem,Hatim,Haatem|10
هيثم|Haitham,Haytham,Haythem|10
مروان|Marwan,Marouane,Merwan|10
مراد|Murad,Mourad,Morad|10
نبيل|Nabil,Nabeel,Nebil|10
ناجي|Naji,Nagi,Najy|10
رضا|Rida,Reda,Ridha,Redha|10
سامي|Sami,Samy,Saamy|10
صادق|Sadiq,Sadek,Sadeq,Sadok|10
توفيق|Tawfiq,Taufik,Tewfik,Toufik,Tawfik|10
وائل|Wael,Wail,Waeel|10
ياسر|Yasser,Yaser,Yasir|10
زياد|Ziad,Ziyad,Zyad|10
عماد|Emad,Imad,Ammad|10
عز الدين|Ezzedine,Izz al-Din,Azeddine,Ezzeldin,Izzedine|8
نصر الدين|Nasreddine,Nasr al-Din,Nasr Eddin,Nasraldeen|5
صلاح الدين|Salaheddine,Salah al-Din,Salahuddin,Salah Eddin|8
سيف الدين|Seifeddine,Saif al-Din,Seif Eddine,Saifaldeen|6
نور الدين|Noureddine,Nur al-Din,Nour Eddine,Nuraldeen|6
كمال|Kamal,Kamel,Kemal|10
كريم|Karim,Kareem,Kerim|10
لطفي|Lutfi,Lotfi,Loutfi|8
محسن|Mohsen,Muhsin,Mohcen|8
مختار|Mukhtar,Mokhtar,Moukhtar|12
منير|Munir,Mounir,Moneer|8
قاسم|Qasim,Kacem,Gasim,Kassem,Qassem|8
رائد|Raed,Raid,Raaed|6
أشرف|Ashraf,Achraf,Ashref|8
بشير|Bashir,Bachir,Basheer,Beshir|12
بدر|Badr,Bader,Bedr|8
فؤاد|Fouad,Fuad,Foad|6
غيث|Ghaith,Ghayth,Gaith|6
حافظ|Hafed,Hafiz,Hafedh,Hafez|8
حسني|Hosni,Husni,Hosny|5
جبريل|Jibril,Jebril,Gibril,Djibril|8
مهدي|Mahdi,Mehdi,Mahdy|10
معتز|Moataz,Mutaz,Motaz,Moatez|8
معاذ|Muad,Mouad,Moaz,Muath|8
نزار|Nizar,Nezar,Nizzar|5
المهدي|al-Mahdi,El Mehdi,Elmahdi,Almahdi|6
الهادي|al-Hadi,El Hadi,Elhadi,Alhadi|10
الطاهر|al-Taher,Tahir,Ettaher,Eltaher,Altaher|8
الصادق|al-Sadiq,Essadek,Elsadek,Alsadeq|6
الصديق|al-Siddiq,Seddik,Essedik,Alsiddig|8
المبروك|al-Mabrouk,Elmabrouk,Almabruk|6
عاشور|Ashour,Achour,Ashur,Aashour|10
عطية|Attia,Atiya,Atiyah,Ateya|8
عمران|Omran,Imran,Emran,Amran|10
عوض|Awad,Aouad,Awadh,Eiwad|10
فرحات|Farhat,Ferhat,Farhaat|6
حمد|Hamad,Hmad,Hamd|8
سند|Sanad,Sened,Sanned|5
عبيد|Obaid,Ubaid,Abid,Obeid|5
سعيد|Said,Saeed,Saaid,Sayed|20
مجدي|Majdi,Magdi,Medji|5
أكرم|Akram,Akrem,Akrim|8
أيمن|Ayman,Aymen,Eymen|10
باسم|Basem,Bassem,Basim|8
تامر|Tamer,Tamir,Taamer|5
جلال|Jalal,Galal,Djalal|6
حمودة|Hamouda,Hammuda,Hamooda|8
خيري|Khairi,Khairy,Kheiri|6
زهير|Zuhair,Zouhair,Zohir|5
شكري|Shukri,Choukri,Shokri|6
عبدو|Abdou,Abdu,Abdo|3
عمار|Ammar,Amar,Ammaar|10
فارس|Fares,Faris,Farrus|8
مالك|Malik,Malek,Maalik|8
مهند|Muhannad,Mohanad,Mohannad|6
نادر|Nader,Nadir,Naader|6
هاني|Hani,Hany,Haani|8
وسام|Wissam,Wesam,Ouissem|5
يزيد|Yazid,Yazeed,Yezid|5
إسلام|Islam,Eslam,Islem|8
إلياس|Elias,Ilyas,Ilias,Elyas|6
المختار|al-Mukhtar,Elmokhtar,Almukhtar|5
"""

# Second parts of عبد-compounds: "arabic (without ال)|latin cores|weight|sun" (sun letter: 1).
ABD_SUFFIXES = """
الله|Allah,Alla,llah|0|120
السلام|Salam,Salaam,Slam|1|45
الرحمن|Rahman,Rahmane,Rahmen|1|45
العزيز|Aziz,Azeez,Azziz|0|30
الكريم|Karim,Kareem,Kerim|0|25
القادر|Qader,Kader,Qadir,Gader|0|25
الحميد|Hamid,Hameed,Hamied|0|25
الرزاق|Razzaq,Razak,Razeg,Razzak|1|15
اللطيف|Latif,Lateef,Letif|1|15
المجيد|Majid,Majeed,Mejid,Magid|0|12
الحكيم|Hakim,Hakeem,Hakem|0|15
الباسط|Basit,Basset,Baset|0|15
الغني|Ghani,Ghany,Gani|0|12
الوهاب|Wahab,Wahhab,Ouahab|0|15
المنعم|Monem,Moneim,Munim,Mounaim|0|15
الفتاح|Fattah,Fatah,Fetah|0|12
الحليم|Halim,Haleem,Halem|0|10
الجليل|Jalil,Jaleel,Djalil,Galil|0|12
الناصر|Nasser,Naser,Nacer|1|15
الرؤوف|Raouf,Rauf,Raoof|1|8
الرحيم|Rahim,Raheem,Rahime|1|10
القوي|Qawi,Gawi,Kaoui|0|6
المطلب|Muttalib,Motaleb,Mutalib|0|5
الصمد|Samad,Samed,Samd|1|8
النور|Nour,Nur,Noor|1|10
الهادي|Hadi,Hady,Hedi|0|10
"""

LIBYAN_FEMALE = """
فاطمة|Fatima,Fatma,Fatimah,Fatouma,Fadma|120
عائشة|Aisha,Aicha,Ayesha,Aysha,Aesha|60
خديجة|Khadija,Khadidja,Khadeeja,Kadija|50
مريم|Maryam,Mariam,Meriem,Mariem|50
آمنة|Amina,Amna,Aamna,Emna|40
سالمة|Salma,Salima,Selma,Salmah|30
زينب|Zainab,Zeinab,Zaynab,Zineb|30
أسماء|Asma,Asmaa,Esma,Asmae|30
هدى|Huda,Houda,Hoda,Hooda|25
حنان|Hanan,Hanane,Hanen|25
نادية|Nadia,Nadiya,Nadiyah|20
نجاة|Najat,Nagat,Nejat|20
نعيمة|Naima,Naeema,Nayma|20
سعاد|Souad,Suad,Soad|20
سميرة|Samira,Sameera,Semira|20
كريمة|Karima,Kareema,Kerima|15
لطيفة|Latifa,Lateefa,Letifa|15
مبروكة|Mabrouka,Mabruka,Mebrouka|20
عزيزة|Aziza,Azeeza,Azizah|15
حواء|Hawa,Hawwa,Haoua,Hawaa|25
زهرة|Zahra,Zohra,Zahraa,Zuhra|20
صفية|Safia,Safiya,Safiyya|15
هاجر|Hajer,Hajar,Hagar|15
رابعة|Rabia,Rabiaa,Rabiya|10
ريم|Reem,Rim,Rima|15
نورة|Noura,Nora,Nurah|20
أمل|Amal,Amel,Aamal|20
ابتسام|Ibtisam,Ebtissam,Ibtessam|10
فوزية|Fawzia,Fawziya,Fouzia|15
حليمة|Halima,Haleema,Halimah|15
سلوى|Salwa,Selwa,Salua|10
منى|Mona,Muna,Mouna|15
وفاء|Wafa,Wafaa,Ouafa|10
سارة|Sara,Sarah,Saara|15
رقية|Ruqaya,Rokaya,Roqia,Ruqayyah|10
جميلة|Jamila,Djamila,Gamila|10
مباركة|Mubaraka,Mabraka,Mbarka|10
عيشة|Aicha,Aisha,Eisha|10
تبرة|Tibra,Tebra,Tabra|5
زعيمة|Zaima,Zaeema,Zaimah|5
"""

# Given names of the Sahel: Chadian, Sudanese, Nigerien and Malian spellings of shared names.
SAHEL_MALE = """
محمد|Mahamat,Mohamed,Mahamad,Mouhammad,Mahammat,Muhammad|150
محمد|Mahamadou,Mamadou,Mohamadou,Mahammadou|60
أحمد|Ahmat,Ahmed,Hamat,Ahmad|50
أبكر|Abakar,Abbakar,Aboubakar,Abakr|40
إدريس|Idriss,Idris,Driss,Idrissa|35
موسى|Moussa,Musa,Mousa,Mussa|45
حسين|Hissein,Hussein,Hassane,Issein|30
عثمان|Ousmane,Osman,Othman,Usman,Ousman|40
آدم|Adam,Adoum,Adamou,Aadam|50
إبراهيم|Brahim,Ibrahim,Ibrahima,Ibrahime|35
هارون|Haroun,Harouna,Harun,Haroon|25
صالح|Saleh,Salih,Saley,Salé|25
عمر|Oumar,Omar,Oumarou,Umar|35
عبد الكريم|Abdelkerim,Abdelkarim,Abdoulkarim,Abdul Karim|20
زكريا|Zakaria,Zakariya,Zakari|15
محمود|Mahamoud,Mahmoud,Mahmud|20
جبرين|Djibrine,Jibrin,Jibreen,Djibrin|20
النور|Annour,Elnour,Alnur,Al-Nour|15
يوسف|Youssouf,Yousif,Yusuf,Youssef|25
الأمين|Allamine,Alamine,Al-Amin,Elamin|15
عيسى|Issa,Eisa,Isa,Issaka|25
إسحاق|Ishag,Ishaq,Issakha,Ishak|20
يحيى|Yahya,Yahia,Yaya,Yahaya|20
سليمان|Souleymane,Suleiman,Sulaiman,Souleiman|25
عبد الله|Abdoulaye,Abdallah,Abdalla,Abdullahi|30
أبوبكر|Boubacar,Aboubacar,Abubakar,Boubakar|25
حميدو|Hamidou,Hamidu,Hamido|10
سيدو|Seydou,Seidou,Saidou|10
علي|Aliou,Ali,Alio,Aly|25
يعقوب|Yacouba,Yacoub,Yakub,Yaqub|12
سليفو|Salifou,Salifu,Salif|8
إيسوفو|Issoufou,Issifou,Issoufa|10
داود|Daoud,Dawud,Daouda,Dawood|12
بشارة|Bichara,Bishara,Bechara|10
تيجاني|Tidjani,Tijani,Tidiane|10
"""

SAHEL_FAMILY = """
مايغا|Maiga,Maïga,Mayga|20
توري|Touré,Toure,Turay|15
سيسي|Cissé,Cisse,Sissé|12
تراوري|Traoré,Traore,Trawre|15
ديالو|Diallo,Jallo,Djalo|15
كيتا|Keita,Keïta,Kayta|10
كوليبالي|Coulibaly,Kulibali,Koulibaly|10
أغ أحمد|Ag Ahmed,Ag-Ahmed,Ag Ahmad|8
أغ محمد|Ag Mohamed,Ag-Mohamed,Ag Mouhamed|8
ديبي|Deby,Déby,Debi|5
هارون|Haroun,Harun,Haroon|10
أبكر|Abakar,Abbakar,Abaker|10
عبد الرحمن|Abderamane,Abdelrahman,Abdourahmane|10
محمد|Mahamat,Mohamed,Mahamadou|15
آدم|Adam,Adoum,Adamou|15
إسحاق|Ishag,Issakha,Ishaq|10
يعقوب|Yacoub,Yagoub,Yakoub|8
الزغاوي|Zaghawi,Zakhawi,El Zaghawi|5
التباوي|Tebawi,Toubou,Tabawi|5
دوسة|Dosa,Dousa,Douse|5
نورين|Nourene,Nurein,Nourein|5
حسب الله|Hassaballah,Hasabalah,Hasab Allah|8
عبد الكريم|Abdelkerim,Abdoulkarim,Abdelkarim|6
جدو|Djiddo,Jiddo,Geddo|4
"""

LEVANT_EGYPT_TUNISIA_FAMILY = """
الحلبي|Halabi,Halaby,Halebi|10|SYR
الحموي|Hamwi,Hamawi,Hamoui|8|SYR
درويش|Darwish,Darwich,Derwish|8|SYR
الخطيب|Khatib,Khateeb,Khatieb|10|SYR
حمدان|Hamdan,Hamdane,Hamadan|8|SYR
العلي|Ali,Aly|8|SYR
الحسن|Hassan,Hasan|8|SYR
كردي|Kurdi,Kordi,Kurdy|6|SYR
الشامي|Shami,Chami,Shamy|6|SYR
العثمان|Othman,Osman,Uthman|6|SYR
الأحمد|Ahmad,Ahmed|8|SYR
عبد العزيز|Abdel Aziz,Abdelaziz,Abd El Aziz|10|EGY
السيد|Sayed,Sayyid,Saied|10|EGY
إبراهيم|Ibrahim,Ebrahim|8|EGY
مصطفى|Mostafa,Mustafa,Moustafa|8|EGY
المصري|Masry,Masri,Misri|8|EGY
سليمان|Soliman,Suleiman,Sliman|8|EGY
فتحي|Fathy,Fathi,Fethi|6|EGY
رجب|Ragab,Rajab|6|EGY
عبد الفتاح|Abdel Fattah,Abdelfattah,Abd El Fatah|6|EGY
الطرابلسي|Trabelsi,Tarabulsi,Traboulsi|10|TUN
بن صالح|Ben Salah,Bensalah,Ben Saleh|10|TUN
الجلاصي|Jlassi,Jelassi,Djlassi|8|TUN
الغربي|Gharbi,Gharby,Ghrabi|8|TUN
الحمامي|Hammami,Hamami,Hamemi|8|TUN
الدريدي|Dridi,Dreidi,Drydi|6|TUN
الماجري|Mejri,Majri,Medjri|6|TUN
العياري|Ayari,Ayyari,Aiari|6|TUN
بن عمار|Ben Ammar,Benammar,Ben Amar|6|TUN
شعبان|Chaabane,Shaaban,Chaban|6|TUN
"""

# Libyan family and tribal names (with or without the article).
LIBYAN_FAMILY = """
الورفلي|Warfalli,Werfalli,Warfali,Urfalli,Warfelli|60
العبيدي|Obeidi,Obaidi,Ubaydi,Abidi,Obeydi|50
المقرحي|Magarhi,Megrahi,Maqrahi,Magrahi,Mgarhi|30
القذافي|Gaddafi,Qadhafi,Kadhafi,Gadafi,Qaddafi,Kadafi,Gathafi|30
الزنتاني|Zintani,Zentani,Zintany|30
المصراتي|Misrati,Musrati,Mosrati,Misraty|30
الترهوني|Tarhouni,Tarhuni,Tarhony,Terhouni|30
الشريف|Sharif,Cherif,Shareef,Chérif|35
السنوسي|Senussi,Snoussi,Sanusi,Senoussi,Sanousi|30
البرعصي|Barasi,Baraasi,Bera'si,Baraassi|25
العقوري|Aguri,Ogouri,Agouri,Akouri|20
الفيتوري|Fituri,Fitouri,Feitouri,Fetouri|25
الزوي|Zuwai,Zway,Zouai,Zuwayy|20
التباوي|Tebawi,Tabawi,Tbawi|10
التواتي|Tuwati,Touati,Tawati|15
الحاسي|Hasi,Hassi,Haasi|20
المسماري|Mismari,Mesmari,Masmari|20
الدرسي|Drissi,Darsi,Dorsi,Dursi|20
المنفي|Mnifi,Menfi,Manfi,Menifi|15
الغرياني|Gharyani,Ghariani,Gheriani|20
الزاوي|Zawi,Zaoui,Zawy|20
التاجوري|Tajouri,Tajuri,Tagouri|20
السويحلي|Souwaihli,Swehli,Sweihli,Suwayhili|15
الككلي|Kikli,Kekli,Kakli|10
الغويل|Ghweil,Ghwell,Ghuwail|10
الدبيبة|Dbeibah,Dbaiba,Dbeiba,Dabaiba|15
معيتيق|Maiteeg,Mitig,Maitig,Mueitiq|10
باشاغا|Bashagha,Bachagha,Bashaga|10
حفتر|Haftar,Hifter,Hiftar,Haftir|10
الجضران|Jadhran,Jadran,Jedhran,Ejdhran|10
المحمودي|Mahmoudi,Mahmudi,Mahmoody|20
المهدوي|Mahdawi,Mehdaoui,Mahdaoui|15
الفاخري|Fakhri,Fekhri,Fakhry|15
العقيلي|Ageili,Agaili,Aqeeli,Oqaili|15
العبار|Abbar,Abar,Aabbar|15
الهوني|Houni,Huni,Hawni|15
الشاعري|Shaari,Chaari,Shaeri|10
الكرامي|Krami,Karami,Keramy|10
بن حليم|Ben Halim,Bin Halim,Benhalim|10
بن غلبون|Ben Ghalbon,Benghalboun,Bin Ghalbun|5
بوقعيقيص|Bugaighis,Bougaighis,Buqaiqis,Bu Gaigis|10
بوخمادة|Bukhamada,Boukhmada,Bu Khamada|10
بوزيد|Buzaid,Bouzid,Bu Zaid,Abu Zaid|15
أبوسهمين|Abusahmain,Abu Sahmain,Bousahmine|8
بوشناف|Bushnaf,Bouchnaf,Bu Shnaf|8
بوخطوة|Bukhatwa,Boukhatoua,Bu Khatwa|8
بوسنينة|Busnina,Bousnina,Bu Snina|8
القماطي|Gamati,Gmati,Qamati,Ghemati|15
الزليتني|Zliteni,Zlitni,Zlitani|15
الغدامسي|Ghadamsi,Ghdamsi,Ghedamsi|10
السبهاوي|Sabhawi,Sebhaoui,Sebhawi|10
الفزاني|Fazzani,Fezzani,Fazani|15
الطرابلسي|Trabulsi,Tarabulsi,Trabelsi|15
البنغازي|Benghazi,Binghazi,Banghazi|10
الدرناوي|Darnawi,Dernaoui,Dernawi|10
الأوجلي|Awjali,Aujali,Ouejli,Awjili|10
الجهمي|Jehmi,Jahmi,Gehmi|10
العريبي|Oraibi,Erebi,Ureibi,Aribi|10
المغربي|Maghrebi,Maghribi,Meghribi|15
الكوني|Kouni,Kuni,Koni|10
التارقي|Targui,Tarqi,Targi|8
الأنصاري|Ansari,Ansary,Enseri|15
النائلي|Naili,Nayli,Naeli|10
المشاي|Mashai,Mechai,Mashay|8
السعيطي|Saiti,Seiti,Saaiti|8
القبائلي|Qabaili,Gbaili,Kabaili|8
الفرجاني|Ferjani,Farjani,Fargani|15
الحضيري|Hudairi,Hadiri,Hodeiri|8
الرياني|Rayani,Riyani,Reyani|8
المقريف|Magariaf,Megaryef,Maqarif|10
الشلوي|Shalwi,Chelwi,Shelwi|10
الغزالي|Ghazali,Ghazzali,Gazali|10
المجبري|Mjabri,Majbari,Mejbri|10
الزوام|Zwam,Zawam,Zouam|8
الحداد|Haddad,Hadad,Hedded|15
النجار|Najjar,Naggar,Nejjar|12
الصيد|Sayed,Essid,Al Sayd|10
العرفي|Arfi,Orfi,Urfi|10
العلاقي|Allagi,Alaqi,Allaghi|8
بن عمران|Ben Omran,Bin Imran,Benomran|10
بن عثمان|Ben Othman,Bin Uthman,Benothman|10
بن علي|Ben Ali,Bin Ali,Benali|15
بن موسى|Ben Moussa,Bin Musa,Benmoussa|10
الجروشي|Jarrushi,Jerroushi,Garushi|8
الحبوني|Habbouni,Habuni,Haboni|8
الخويلدي|Khweldi,Khuwaildi,Khouildi|8
الشيباني|Shaibani,Chibani,Sheibani|10
المرابط|Murabit,Mrabet,Marabit|10
الدغاري|Dughari,Dghari,Daghari|8
البكوش|Bakkoush,Bakush,Bakouch|8
الطبولي|Tabouli,Tbuli,Tebouli|8
الطويل|Tawil,Taweel,Touil|10
الساعدي|Saadi,Sa'idi,Saidi|10
الفلاح|Fallah,Falah,Fellah|8
الرقيعي|Rugai'i,Rgaie,Ruqaiee|8
عريبي|Oreibi,Aribi,Urybi|4
البدري|Badri,Bedri,Badry|10
المنتصر|Muntasser,Mountasser,Montaser|10
الصابر|Saber,Sabir,Essaber|8
القروي|Garawi,Qarawi,Karaoui|8
"""

# Russian names: "cyrillic|latin variants|arabic|weight".
RUSSIAN_GIVEN = """
Александр|Aleksandr,Alexander,Alexandr,Aleksander|ألكسندر|30
Сергей|Sergey,Sergei,Serguei,Sergej|سيرغي|25
Дмитрий|Dmitry,Dmitriy,Dmitri,Dmitrij|دميتري|25
Андрей|Andrey,Andrei,Andrej|أندريه|20
Алексей|Aleksey,Alexei,Alexey,Aleksei|أليكسي|20
Иван|Ivan,Iwan|إيفان|15
Михаил|Mikhail,Mihail,Michail|ميخائيل|15
Николай|Nikolay,Nikolai,Nicolai|نيكولاي|12
Владимир|Vladimir,Wladimir,Vladimer|فلاديمير|15
Евгений|Yevgeny,Evgeny,Evgeniy,Yevgeniy|يفغيني|12
Максим|Maksim,Maxim,Maksym|مكسيم|15
Артём|Artyom,Artem,Artiom|أرتيوم|10
Павел|Pavel,Pawel|بافل|10
Игорь|Igor,Ihor|إيغور|10
Олег|Oleg,Olieg|أوليغ|10
Роман|Roman|رومان|10
Виктор|Viktor,Victor|فيكتور|10
Денис|Denis,Denys|دينيس|10
Юрий|Yury,Yuri,Iouri,Yuriy|يوري|10
Константин|Konstantin,Constantin|كونستانتين|8
"""

RUSSIAN_FAMILY = """
Иванов|Ivanov,Iwanow|إيفانوف|15
Смирнов|Smirnov,Smirnow|سميرنوف|15
Кузнецов|Kuznetsov,Kouznetsov,Kuznecov|كوزنيتسوف|12
Попов|Popov,Popow|بوبوف|12
Васильев|Vasilyev,Vasiliev,Vassiliev|فاسيلييف|10
Петров|Petrov,Petrow|بيتروف|10
Соколов|Sokolov,Sokolow|سوكولوف|10
Михайлов|Mikhailov,Mikhaylov|ميخائيلوف|8
Новиков|Novikov,Nowikow|نوفيكوف|8
Фёдоров|Fyodorov,Fedorov,Fiodorov|فيودوروف|8
Морозов|Morozov,Morosov|موروزوف|8
Волков|Volkov,Wolkow|فولكوف|8
Лебедев|Lebedev,Lebedew|ليبيديف|6
Семёнов|Semyonov,Semenov|سيميونوف|6
Егоров|Yegorov,Egorov|يغوروف|6
Козлов|Kozlov,Koslov|كوزلوف|6
Степанов|Stepanov,Stepanow|ستيبانوف|6
Орлов|Orlov,Orlow|أورلوف|6
Макаров|Makarov,Makarow|ماكاروف|6
Захаров|Zakharov,Zaharov|زاخاروف|6
"""

# Places of birth per nationality: "arabic|latin variants|weight|nationality".
PLACES = """
طرابلس|Tripoli,Tarabulus,Trablus,Tripoli City|60|LBY
بنغازي|Benghazi,Bengasi,Banghazi,Benghazy|45|LBY
مصراتة|Misrata,Misurata,Misratah,Musrata|30|LBY
سبها|Sebha,Sabha,Sabhah|20|LBY
الزاوية|Zawiya,Az Zawiyah,Zawia,Zawiyah,Ezzawia|20|LBY
الكفرة|Kufra,Al Kufrah,Kofra,Alkufra|10|LBY
الزنتان|Zintan,Az Zintan,Zentan|10|LBY
سرت|Sirte,Surt,Sirt,Syrte|15|LBY
طبرق|Tobruk,Tubruq,Tobrouk|15|LBY
درنة|Derna,Darnah,Darna|15|LBY
بني وليد|Bani Walid,Beni Walid,Baniwalid|12|LBY
ترهونة|Tarhuna,Tarhunah,Tarhouna|10|LBY
غريان|Gharyan,Gharian,Ghiryan|10|LBY
اجدابيا|Ajdabiya,Ajdabia,Ijdabiya,Agedabia|12|LBY
البيضاء|Bayda,Al Bayda,Beida,Elbeida|12|LBY
أوباري|Ubari,Awbari,Obari|6|LBY
مرزق|Murzuq,Murzuk,Marzaq|6|LBY
زليتن|Zliten,Zlitan,Zleitin|10|LBY
الخمس|Khoms,Al Khums,Homs Libya|10|LBY
صبراتة|Sabratha,Sabrata,Sabratah|8|LBY
زوارة|Zuwara,Zuara,Zouara|8|LBY
نالوت|Nalut,Nalout|5|LBY
يفرن|Yefren,Yafran,Yafrin|5|LBY
المرج|Marj,Al Marj,Elmarj|8|LBY
هون|Hun,Houn,Hoon|4|LBY
غدامس|Ghadames,Ghadamis,Ghadamès|4|LBY
الفاشر|El Fasher,Al Fashir,Elfasher|10|SDN
نيالا|Nyala,Niyala|10|SDN
الجنينة|Geneina,El Geneina,Al Junaynah|10|SDN
الخرطوم|Khartoum,Khartum,Al Khartum|10|SDN
أم درمان|Omdurman,Um Durman,Omdurmann|6|SDN
انجامينا|N'Djamena,Ndjamena,N Djamena|15|TCD
أبشي|Abéché,Abeche,Abecher|10|TCD
فايا|Faya-Largeau,Faya,Faya Largeau|8|TCD
موسورو|Moussoro,Mousoro|4|TCD
أغاديس|Agadez,Agades,Aghadez|12|NER
نيامي|Niamey,Niamei|8|NER
زندر|Zinder,Zindar|6|NER
غاو|Gao,Gaou|8|MLI
تمبكتو|Timbuktu,Tombouctou,Timbouctou|6|MLI
كيدال|Kidal,Kidale|6|MLI
دمشق|Damascus,Dimashq,Damas|10|SYR
حلب|Aleppo,Halab,Alep|10|SYR
حمص|Homs,Hims,Homs City|8|SYR
إدلب|Idlib,Idleb,Edlib|8|SYR
دير الزور|Deir ez-Zor,Deir Ezzor,Dayr al-Zawr|8|SYR
القاهرة|Cairo,Al Qahirah,Le Caire|10|EGY
الإسكندرية|Alexandria,Iskandariya,Alexandrie|6|EGY
مرسى مطروح|Marsa Matruh,Mersa Matrouh,Matrouh|8|EGY
تونس|Tunis,Tounis|10|TUN
صفاقس|Sfax,Safaqis|8|TUN
بن قردان|Ben Guerdane,Ben Gardane,Bin Qirdan|8|TUN
القصرين|Kasserine,Al Qasrayn,Kasrine|6|TUN
موسكو|Moscow,Moskva,Москва|10|RUS
سانت بطرسبرغ|Saint Petersburg,St Petersburg,Sankt-Peterburg,Санкт-Петербург|8|RUS
روستوف|Rostov-on-Don,Rostov,Ростов-на-Дону|6|RUS
كراسنودار|Krasnodar,Краснодар|6|RUS
يكاترينبورغ|Yekaterinburg,Ekaterinburg,Екатеринбург|5|RUS
"""

# Invented armed groups: "english core|arabic core|kind|weight|nationalities".
# kind: B brigade (لواء), T battalion (كتيبة), F force (قوة), G group (مجموعة),
# N numbered battalion.
ARMED_GROUPS = """
Desert Shield|درع الصحراء|B|20|LBY
Coastal Guard|حرس الساحل|T|15|LBY
Martyrs of the Valley|شهداء الوادي|B|15|LBY
Southern Lions|أسود الجنوب|T|12|LBY
Mountain Eagles|نسور الجبل|T|12|LBY
Sea Falcons|صقور البحر|T|10|LBY
Free Knights|الفرسان الأحرار|B|10|LBY
Steadfastness|الصمود|B|12|LBY
Crescent Dawn|فجر الهلال|F|10|LBY
Sand Storm|العاصفة الرملية|T|8|LBY
Green Mountain Guard|حرس الجبل الأخضر|F|10|LBY
Oasis Protection|حماية الواحات|F|8|LBY
Lightning|البرق|T|8|LBY
Western Gate|البوابة الغربية|B|8|LBY
Harbour Defence|الدفاع عن الميناء|T|6|LBY
117|117|N|8|LBY
143|143|N|6|LBY
209|209|N|6|LBY
Sahel Horsemen|فرسان الساحل|G|10|SDN,TCD
Darfur Liberation Front|جبهة تحرير دارفور|G|8|SDN
Front for Renewal|جبهة التجديد|G|8|TCD
Tibesti Rally|تجمع تيبستي|G|6|TCD,NER
Air Mountains Movement|حركة جبال آير|G|6|NER,MLI
Azawad Sons|أبناء أزواد|G|6|MLI,NER
Levant Volunteers|متطوعو الشام|G|8|SYR
Northern Contractors|المقاولون الشماليون|G|8|RUS
Volga Security Company|شركة فولغا الأمنية|G|6|RUS
Nile Volunteers|متطوعو النيل|G|5|EGY
Carthage Brothers|إخوة قرطاج|G|5|TUN
"""

# Nicknames used as aliases: "arabic|latin variants|weight".
NICKNAMES = """
الصغير|al-Saghir,Essghir,El Sghir|20
الكبير|al-Kabir,Elkbir,El Kebir|10
الأسود|al-Aswad,Laswad,El Aswad|8
الطويل|al-Tawil,Ettawil,Touil|8
الفارس|al-Faris,El Fares|6
الذيب|al-Dhib,Eddib,Ezzib,Dheeb|8
الشايب|al-Shayeb,Echayeb|5
الحاج|al-Hajj,Elhaj,Haj|10
الشيخ|al-Sheikh,Cheikh,Chikh|6
الأعور|al-Awar,Laawar|3
"""

RUSSIAN_CALLSIGNS = (
    ("Волк", "Volk", "فولك"), ("Гром", "Grom", "غروم"), ("Медведь", "Medved", "ميدفيد"),
    ("Север", "Sever", "سيفير"), ("Сокол", "Sokol", "سوكول"), ("Тайга", "Taiga", "تايغا"),
)

NATIONALITY_NISBA = {
    "SDN": ("السوداني", ("al-Sudani", "Soudani", "Sudani")),
    "TCD": ("التشادي", ("al-Tshadi", "Tchadi", "Tshadi")),
    "NER": ("النيجري", ("al-Nijiri", "Nigeri")),
    "MLI": ("المالي", ("al-Mali", "Malien")),
    "SYR": ("السوري", ("al-Suri", "Souri", "Syrian")),
    "EGY": ("المصري", ("al-Masri", "Masry", "Masri")),
    "TUN": ("التونسي", ("al-Tunisi", "Tounsi", "Tunsi")),
    "RUS": ("الروسي", ("Russki", "al-Rusi")),
}
